"""The Python side of scripts/bench/deploy_job.sh.

    deploy_job.py archive CONFIG COPY_TO   langgraph-cli's create_archive on CONFIG's project, timed
    deploy_job.py list ARCHIVE             the regular files in a .tar.gz, sorted, one a line
    deploy_job.py report-archive JSONL     the archiving table
    deploy_job.py report-memory JSONL      the upload memory table
    deploy_job.py report-upload JSONL      the upload throughput table

`archive` needs langgraph-cli (run it with the benchmark's venv); the others only the standard
library. `archive` loads the config as `langgraph deploy` does (validate_config_file, untimed),
then times create_archive up to the archive it yields (which includes the CLI's own check that
the config is in it), copies the archive to COPY_TO (untimed) and prints one JSON line: seconds,
bytes, files.
"""

import json
import pathlib
import shutil
import statistics
import sys
import tarfile
import time


def archive(config: str, copy_to: str) -> None:
    import langgraph_cli.config
    from langgraph_cli.archive import create_archive

    config_path = pathlib.Path(config).resolve()
    config_json = langgraph_cli.config.validate_config_file(config_path)
    started = time.perf_counter()
    with create_archive(config_path, config_json) as (path, size, _config_rel):
        seconds = time.perf_counter() - started
        shutil.copyfile(path, copy_to)
    print(json.dumps({"seconds": seconds, "bytes": size, "files": len(regular_files(copy_to))}))


def regular_files(path: str) -> list[str]:
    with tarfile.open(path, "r:gz") as tar:
        return sorted(member.name for member in tar.getmembers() if member.isreg())


def read(path: str) -> list[dict]:
    with open(path) as lines:
        return [json.loads(line) for line in lines if line.strip()]


def ratio_range(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def report_archive(path: str) -> None:
    rows = read(path)
    rounds = sorted({r["round"] for r in rows})
    by = {(r["tool"], r["round"]): r for r in rows}
    print("| tool | call, median | whole process, median | archive | files | call time / ours |")
    print("|---|---:|---:|---:|---:|---:|")
    for tool in ["ours", "langgraph-cli"]:
        calls = [by[(tool, n)]["seconds"] for n in rounds]
        processes = [by[(tool, n)]["process_seconds"] for n in rounds]
        over_ours = [by[(tool, n)]["seconds"] / by[("ours", n)]["seconds"] for n in rounds]
        last = by[(tool, rounds[-1])]
        print(
            f"| {tool} | {statistics.median(calls):.3f} s | {statistics.median(processes):.3f} s "
            f"| {last['bytes'] / 1048576:.1f} MiB | {last['files']:,} | {ratio_range(over_ours)} |"
        )
    processes = [
        by[("langgraph-cli", n)]["process_seconds"] / by[("ours", n)]["process_seconds"] for n in rounds
    ]
    print()
    print(f"({len(rounds)} rounds, the order flipping every round. Times: the median over the rounds;")
    print("ratios: the median, and the range, of the per-round ratios. Whole processes, start-up and")
    print(f"imports included: langgraph-cli / ours {ratio_range(processes)}.)")
    speedup = statistics.median(by[("langgraph-cli", n)]["seconds"] / by[("ours", n)]["seconds"] for n in rounds)
    print()
    print(f"target: ours >= 3x faster than langgraph-cli: {speedup:.2f}x, {'met' if speedup >= 3 else 'NOT met'}")


def report_memory(path: str) -> None:
    rows = read(path)
    runs = len({r["run"] for r in rows})
    print("| process | peak RSS, largest of the runs | smallest | target | met |")
    print("|---|---:|---:|---|---|")
    for what, target in [
        ("ours: archive(), then upload(), whole process (/usr/bin/time -v)", True),
        ("ours: after archive(), before upload() (VmHWM)", False),
        ("ours: upload() alone (VmHWM, reset once the archive is built)", True),
        ("curl -T (/usr/bin/time -v)", False),
    ]:
        kib = [r["kib"] for r in rows if r["what"] == what]
        peak = max(kib) / 1024
        met = ("yes" if peak <= 64 else "NO") if target else "-"
        print(f"| {what} | {peak:.1f} MiB | {min(kib) / 1024:.1f} MiB | {'<= 64 MiB' if target else '-'} | {met} |")
    print()
    print(f"({runs} runs of each; {rows[0]['archive_bytes']:,} bytes uploaded each time.)")
    worst = max(r["kib"] for r in rows if r["what"].startswith("ours") and "before" not in r["what"]) / 1024
    print()
    print(f"target: peak RSS of the upload <= 64 MiB: {worst:.1f} MiB, {'met' if worst <= 64 else 'NOT met'}")


def report_upload(path: str) -> None:
    rows = read(path)
    rounds = sorted({r["round"] for r in rows})
    by = {(r["client"], r["round"]): r for r in rows}
    size = rows[0]["bytes"]
    uploads = rows[0]["uploads"]
    print("| client, timed by | time, median | throughput | ours' throughput / this one's |")
    print("|---|---:|---:|---:|")
    for label, client, field in [
        ("ours, SourceArchive::upload call", "ours", "seconds"),
        ("curl -T, time_total", "curl", "seconds"),
        ("curl -T, whole processes", "curl", "process_seconds"),
    ]:
        seconds = statistics.median(by[(client, n)][field] for n in rounds)
        ratios = [by[(client, n)][field] / by[("ours", n)]["seconds"] for n in rounds]
        print(
            f"| {label} | {seconds * 1000:.0f} ms | {size / seconds / 1048576:,.0f} MiB/s "
            f"| {ratio_range(ratios)} |"
        )
    print()
    print(f"({len(rounds)} rounds; in each, each client makes {uploads} uploads of {size // uploads:,} bytes in a row,")
    print(f"the order of the clients flipping every round; a time is that of the {uploads} uploads.")
    print("Times: the median over the rounds; ratios: the median, and the range, of the per-round")
    print("ratios. Ours is timed from the call (which builds its HTTP client) to the answer; curl by")
    print("its time_total (connect to answer) and by its whole processes, start-up included.)")
    ratio = statistics.median(by[("curl", n)]["seconds"] / by[("ours", n)]["seconds"] for n in rounds)
    print()
    print(f"target: ours >= 0.9x curl's throughput (time_total): {ratio:.2f}x, {'met' if ratio >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "archive":
        archive(*args)
    elif command == "list":
        print("\n".join(regular_files(args[0])))
    elif command == "report-archive":
        report_archive(args[0])
    elif command == "report-memory":
        report_memory(args[0])
    elif command == "report-upload":
        report_upload(args[0])
    else:
        sys.exit(__doc__)
