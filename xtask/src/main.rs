//! `cargo xtask`: spec tooling. Run `cargo xtask --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use xtask::{
    check, codegen, diff, json, overlay, update, vendored_overlay, vendored_spec, workspace_root,
};

#[derive(Parser)]
#[command(
    name = "xtask",
    bin_name = "cargo xtask",
    about = "Spec tooling for the Control Plane bindings"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The OpenAPI document: update, check, diff.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// Write the Rust that build.rs generates (open_enums.rs and client.rs), formatted, for review.
    Codegen {
        /// Directory to write into.
        #[arg(long, value_name = "DIR", default_value_os_t = workspace_root().join("target/codegen"))]
        out: PathBuf,
        /// Document to generate from.
        #[arg(long, value_name = "PATH", default_value_os_t = vendored_spec())]
        spec: PathBuf,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Fetch (or read) the upstream 3.1 document, normalize it to 3.0.3, apply the overlay and
    /// write it.
    ///
    /// Upstream prose (descriptions, summaries, titles, examples) is dropped; the project's own
    /// prose, info, servers, security, tags and enum names are kept from the base document.
    Update {
        /// URL or file to read the upstream document from.
        #[arg(long, value_name = "URL|PATH", default_value = update::DEFAULT_SOURCE)]
        from: String,
        /// Where to write the normalized document.
        #[arg(long, value_name = "PATH", default_value_os_t = vendored_spec())]
        out: PathBuf,
        /// Document whose prose and names to keep [default: the output file, when it exists].
        #[arg(long, value_name = "PATH")]
        base: Option<PathBuf>,
        /// Seconds to wait for the download.
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        timeout: u64,
        /// Also fetch `http://` URLs (only `https://` ones by default). Redirects are never
        /// followed.
        #[arg(long)]
        allow_http: bool,
        #[command(flatten)]
        overlay: OverlayArgs,
    },
    /// Check that a document is valid 3.0.3, normalized, has the overlay applied, and that
    /// progenitor generates from it.
    Check {
        /// Document to check.
        #[arg(long, value_name = "PATH", default_value_os_t = vendored_spec())]
        spec: PathBuf,
        #[command(flatten)]
        overlay: OverlayArgs,
    },
    /// Report added, removed and changed operations, parameters, schemas, properties and enum
    /// values between two documents; breaking changes are marked.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Exit with status 1 when a change is breaking.
        #[arg(long)]
        fail_on_breaking: bool,
    },
}

/// Which overlay (facts upstream does not publish) to apply or check.
#[derive(clap::Args)]
struct OverlayArgs {
    /// OpenAPI Overlay 1.0 document of the facts upstream does not publish.
    #[arg(long, value_name = "PATH", default_value_os_t = vendored_overlay())]
    overlay: PathBuf,
    /// Leave the overlay out.
    #[arg(long, conflicts_with = "overlay")]
    no_overlay: bool,
}

impl OverlayArgs {
    fn path(&self) -> Option<&Path> {
        (!self.no_overlay).then_some(self.overlay.as_path())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Spec { command } => match command {
            SpecCommand::Update {
                from,
                out,
                base,
                timeout,
                allow_http,
                overlay,
            } => {
                let options = update::FetchOptions {
                    timeout: Duration::from_secs(timeout),
                    allow_http,
                };
                run_update(&from, out, base, overlay.path(), options)
            }
            SpecCommand::Check { spec, overlay } => run_check(spec, overlay.path()),
            SpecCommand::Diff {
                old,
                new,
                json,
                fail_on_breaking,
            } => run_diff(old, new, json, fail_on_breaking),
        },
        Command::Codegen { out, spec } => run_codegen(spec, out),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_update(
    from: &str,
    out: PathBuf,
    base: Option<PathBuf>,
    overlay: Option<&Path>,
    options: update::FetchOptions,
) -> Result<ExitCode, String> {
    let outcome = update::run(from, &out, base.as_deref(), overlay, options)?;
    let ops = check::count_operations(&outcome.document);
    println!("wrote {} from {from}: {ops} operations", out.display());
    match &outcome.overlay {
        Some((path, actions)) => println!(
            "applied the overlay {}: {actions} action(s)",
            path.display()
        ),
        None => {
            println!("no overlay applied: the facts only our document has are not in the output")
        }
    }
    for note in &outcome.overlay_notes {
        println!("note: {note}");
    }
    match &outcome.base_path {
        Some(base) => println!(
            "kept our prose on {} node(s) from {}; {} node(s) of it no longer exist",
            outcome.carried.prose,
            base.display(),
            outcome.carried.orphaned
        ),
        None => println!(
            "no base document: the output has no descriptions; write them before committing"
        ),
    }
    if let Some(previous) = &outcome.previous {
        let changes = diff::diff(previous, &outcome.document);
        println!(
            "against the previous file: {}",
            diff::summary_line(&changes)
        );
        if !changes.is_empty() {
            println!("(see `git diff` or `cargo xtask spec diff OLD NEW` for details)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_check(spec: PathBuf, overlay: Option<&Path>) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(&spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let overlay = overlay.map(overlay::read).transpose()?;
    let started = Instant::now();
    match check::check_with_overlay(&text, overlay.as_ref()) {
        Ok(passed) => {
            let applied = match passed.overlay_actions {
                Some(n) => format!("overlay applied ({n} actions)"),
                None => "no overlay checked".to_string(),
            };
            println!(
                "ok: {}: OpenAPI 3.0.3, normalized, {applied}, {} operations, {} schemas; \
                 progenitor generates {} lines ({:.1}s)",
                spec.display(),
                passed.operations,
                passed.schemas,
                passed.generated_lines,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            eprintln!("{}: {} problem(s)", spec.display(), problems.len());
            for problem in problems {
                eprintln!("- {problem}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn run_diff(
    old: PathBuf,
    new: PathBuf,
    as_json: bool,
    fail_on_breaking: bool,
) -> Result<ExitCode, String> {
    let read = |path: &PathBuf| -> Result<serde_json::Value, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        json::parse(&text, &path.display().to_string())
    };
    let changes = diff::diff(&read(&old)?, &read(&new)?);
    if as_json {
        print!(
            "{}",
            json::to_canonical_string(&diff::render_json(&changes))
        );
    } else {
        print!("{}", diff::render_text(&changes));
    }
    let breaking = changes.iter().any(|c| c.breaking);
    Ok(if fail_on_breaking && breaking {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn run_codegen(spec: PathBuf, out: PathBuf) -> Result<ExitCode, String> {
    let written = codegen::run(&spec, &out)?;
    println!(
        "wrote {}/{{open_enums.rs,client.rs}}: {} lines, {} KB, generated in {:.2}s",
        out.display(),
        written.lines,
        written.bytes / 1024,
        written.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
