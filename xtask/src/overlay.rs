//! The overlay: facts our document has that the upstream document does not publish, kept as an
//! OpenAPI Overlay 1.0 document (`openapi/overlay.json`) that `spec update` applies to the
//! normalized upstream document, and that `spec check` finds already applied to ours.
//!
//! Supported: targets that are singular JSONPaths of member names ([`crate::jsonpath`]),
//! `update` (merged into an object, or appended to an array) and `remove: true`. One departure
//! from a plain reading of the specification, so that an overlay can be applied to its own
//! output: an array entry equal to one already there is not appended again (neither at an array
//! target nor inside a merge), which makes applying an overlay twice the same as applying it once.
//! On a document that lacks the entries, the result is what the specification gives.

use std::path::Path as FilePath;

use serde_json::{Map, Value};

use crate::json::{differing_pointers, parse};
use crate::jsonpath::Path;
use crate::prose::strip_prose;

/// The Overlay Specification versions this module applies.
pub const SUPPORTED_VERSION: &str = "1.0";

/// A parsed overlay document.
#[derive(Clone, Debug)]
pub struct Overlay {
    /// Where it was read from, for messages.
    pub source: String,
    /// The actions, in the order they apply.
    pub actions: Vec<Action>,
}

/// One action: a change at a target.
#[derive(Clone, Debug)]
pub struct Action {
    /// How messages name it: the file, the action's number (from 1) and its target.
    pub label: String,
    pub target: Path,
    pub description: Option<String>,
    pub change: Change,
}

/// What an action does at its target.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Merge this object into the target object, or append this entry to the target array.
    Update(Value),
    /// Remove the target from the object holding it.
    Remove,
}

/// What applying one action did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The target selected nothing; the document is unchanged.
    Unmatched,
    /// The target was found and the document already had what the action gives it.
    Unchanged,
    /// The document changed.
    Changed,
}

/// Reads and parses an overlay file.
pub fn read(path: &FilePath) -> Result<Overlay, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the overlay {}: {e}", path.display()))?;
    parse_overlay(&text, &path.display().to_string())
}

/// Parses the text of an overlay; `source` names it in messages. Every problem is listed.
pub fn parse_overlay(text: &str, source: &str) -> Result<Overlay, String> {
    let doc = parse(text, source)?;
    let mut problems = Vec::new();
    let Some(root) = doc.as_object() else {
        return Err(format!("{source} is not an overlay: not a JSON object"));
    };
    unknown_fields(
        root,
        &["overlay", "info", "extends", "actions"],
        "the top level",
        &mut problems,
    );
    match root.get("overlay").and_then(Value::as_str) {
        Some(v) if v.strip_prefix(SUPPORTED_VERSION).is_some_and(|p| p.starts_with('.')) => {}
        Some(v) => problems.push(format!(
            "`overlay` is {v:?}; this tool applies Overlay {SUPPORTED_VERSION} documents (`\"overlay\": \"1.0.0\"`)"
        )),
        None => problems.push("no `overlay` version string (`\"overlay\": \"1.0.0\"`)".into()),
    }
    let info = root.get("info").and_then(Value::as_object);
    let has = |field: &str| {
        info.and_then(|i| i.get(field))
            .is_some_and(Value::is_string)
    };
    if !has("title") || !has("version") {
        problems.push("`info` needs a `title` and a `version` (strings)".into());
    }
    let mut actions = Vec::new();
    match root.get("actions").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for (i, action) in list.iter().enumerate() {
                match parse_action(action, i + 1, source) {
                    Ok(action) => actions.push(action),
                    Err(problem) => problems.push(problem),
                }
            }
        }
        _ => problems.push("`actions` must be a list of at least one action".into()),
    }
    if !problems.is_empty() {
        return Err(format!(
            "{source} is not a usable overlay:\n  {}",
            problems.join("\n  ")
        ));
    }
    Ok(Overlay {
        source: source.to_string(),
        actions,
    })
}

fn unknown_fields(map: &Map<String, Value>, known: &[&str], at: &str, out: &mut Vec<String>) {
    for key in map.keys() {
        if !known.contains(&key.as_str()) && !key.starts_with("x-") {
            out.push(format!("{at}: unknown field `{key}`"));
        }
    }
}

fn parse_action(action: &Value, number: usize, source: &str) -> Result<Action, String> {
    let Some(map) = action.as_object() else {
        return Err(format!("action {number}: not a JSON object"));
    };
    let Some(target_text) = map.get("target").and_then(Value::as_str) else {
        return Err(format!("action {number}: no `target` string"));
    };
    let label = format!("{source}, action {number} (target `{target_text}`)");
    let mut problems = Vec::new();
    unknown_fields(
        map,
        &["target", "description", "update", "remove"],
        &label,
        &mut problems,
    );
    // A misspelled field explains whatever else looks wrong; say that first.
    if !problems.is_empty() {
        return Err(problems.join("\n  "));
    }
    let target = Path::parse(target_text).map_err(|e| format!("{label}: {e}"))?;
    let remove = match map.get("remove") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => return Err(format!("{label}: `remove` must be true or false")),
    };
    let change = match (map.get("update"), remove) {
        (Some(_), true) => {
            return Err(format!(
                "{label}: has both `update` and `remove: true` (the update would be ignored); keep one"
            ));
        }
        (Some(update), false) => Change::Update(update.clone()),
        (None, true) => Change::Remove,
        (None, false) => {
            return Err(format!(
                "{label}: has neither `update` nor `remove: true`, so it does nothing"
            ));
        }
    };
    let description = match map.get("description") {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return Err(format!("{label}: `description` must be a string")),
    };
    Ok(Action {
        label,
        target,
        description,
        change,
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

impl Overlay {
    /// Applies every action in order; each sees the result of the ones before it. An error (an
    /// update that does not fit its target) stops it, leaving the document partly changed.
    pub fn apply(&self, doc: &mut Value) -> Result<Vec<Outcome>, String> {
        self.actions
            .iter()
            .map(|action| action.apply(doc))
            .collect()
    }

    /// Applies the actions one at a time and records what each changed; `doc` is not touched.
    pub fn trial(&self, doc: &Value) -> Result<Vec<Step>, String> {
        let mut current = doc.clone();
        let mut steps = Vec::new();
        for action in &self.actions {
            let before = current.clone();
            let outcome = action.apply(&mut current)?;
            let (changed, prose) = if outcome == Outcome::Changed {
                let changed = differing_pointers(&before, &current);
                // Whatever prose the action leaves on a document that had none is its own.
                let mut bare = before;
                strip_prose(&mut bare);
                let prose = match action.apply(&mut bare) {
                    Ok(_) => prose_pointers(&bare),
                    Err(_) => Vec::new(),
                };
                (changed, prose)
            } else {
                (Vec::new(), Vec::new())
            };
            steps.push(Step {
                outcome,
                changed,
                prose,
            });
        }
        Ok(steps)
    }

    /// Applies the overlay to a normalized upstream document (prose already stripped), as
    /// `spec update` does. Errors: an update whose target matches nothing (the fact would be
    /// lost without a word), an action that writes prose, an update that does not fit. On
    /// success, notes on actions that upstream has made unnecessary.
    pub fn apply_to_upstream(&self, doc: &mut Value) -> Result<Vec<String>, String> {
        let steps = self.trial(doc)?;
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        for (action, step) in self.actions.iter().zip(&steps) {
            problems.extend(prose_problem(action, step));
            match (&action.change, step.outcome) {
                (Change::Update(_), Outcome::Unmatched) => problems.push(format!(
                    "{}: matches nothing in the normalized upstream document; upstream moved or \
                     dropped what this fact extends: fix the target or drop the action \
                     (or pass --no-overlay)",
                    action.label
                )),
                (Change::Update(_), Outcome::Unchanged) => notes.push(format!(
                    "{}: changes nothing: upstream publishes this fact now; drop the action",
                    action.label
                )),
                (Change::Remove, Outcome::Unmatched) => notes.push(format!(
                    "{}: matches nothing: upstream no longer has it; drop the action",
                    action.label
                )),
                _ => {}
            }
        }
        if !problems.is_empty() {
            return Err(format!(
                "the overlay does not apply:\n  {}",
                problems.join("\n  ")
            ));
        }
        self.apply(doc)?;
        Ok(notes)
    }

    /// Problems that show the overlay is not already applied to `doc` (the vendored document):
    /// an update whose target matches nothing or that would change it, a removal whose target
    /// is still there or whose parent is not, an action that writes prose. The overlay holds
    /// facts only, so it is tried on `doc` without its prose (as `spec update` applies it before
    /// the prose is carried over): a described parameter is the overlay's undescribed one.
    pub fn not_applied_problems(&self, doc: &Value) -> Vec<String> {
        let mut bare = doc.clone();
        strip_prose(&mut bare);
        let doc = &bare;
        let steps = match self.trial(doc) {
            Ok(steps) => steps,
            Err(e) => return vec![e],
        };
        let mut problems = Vec::new();
        for (action, step) in self.actions.iter().zip(&steps) {
            // Prose is compared away, so such an action also looks unapplied: say why once.
            if let Some(problem) = prose_problem(action, step) {
                problems.push(problem);
                continue;
            }
            match (&action.change, step.outcome) {
                (Change::Update(_), Outcome::Unmatched) => {
                    problems.push(format!("{}: matches nothing in the document", action.label))
                }
                (Change::Update(_), Outcome::Changed) => problems.push(format!(
                    "{}: not applied: applying it changes {}",
                    action.label,
                    listed(&step.changed)
                )),
                (Change::Remove, Outcome::Changed) => problems.push(format!(
                    "{}: not applied: `{}` is still in the document",
                    action.label, action.target
                )),
                (Change::Remove, Outcome::Unmatched) => {
                    let parent = action.target.split_last().map(|(parent, _)| parent);
                    if let Some(parent) = parent.filter(|p| p.select(doc).is_none()) {
                        problems.push(format!(
                            "{}: matches nothing, and neither does `{parent}` (a misspelled target?)",
                            action.label
                        ));
                    }
                }
                _ => {}
            }
        }
        problems
    }
}

/// What one action changed when tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub outcome: Outcome,
    /// JSON pointers to what changed.
    pub changed: Vec<String>,
    /// JSON pointers to prose (descriptions, summaries, examples...) the action wrote.
    pub prose: Vec<String>,
}

fn prose_problem(action: &Action, step: &Step) -> Option<String> {
    (!step.prose.is_empty()).then(|| {
        format!(
            "{}: writes prose ({}); descriptions and summaries come from the base document, \
             not the overlay",
            action.label,
            listed(&step.prose)
        )
    })
}

fn listed(pointers: &[String]) -> String {
    let shown: Vec<&str> = pointers.iter().take(5).map(String::as_str).collect();
    match pointers.len().saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Pointers to the prose of a document (an array holding some is named whole).
fn prose_pointers(doc: &Value) -> Vec<String> {
    let mut stripped = doc.clone();
    strip_prose(&mut stripped);
    differing_pointers(doc, &stripped)
}

impl Action {
    /// Applies this action to `doc`. On an error `doc` is unchanged.
    pub fn apply(&self, doc: &mut Value) -> Result<Outcome, String> {
        match &self.change {
            Change::Update(update) => self.update(doc, update),
            Change::Remove => self.remove(doc),
        }
    }

    fn update(&self, doc: &mut Value, update: &Value) -> Result<Outcome, String> {
        let Some(node) = self.target.select_mut(doc) else {
            return Ok(Outcome::Unmatched);
        };
        let mut merged = node.clone();
        let changed = match (&mut merged, update) {
            (Value::Object(_), Value::Object(_)) => merge(&mut merged, update, self)?,
            (Value::Object(_), other) => {
                return Err(format!(
                    "{}: the target is an object, so `update` must be an object to merge into it, not {}",
                    self.label,
                    kind(other)
                ));
            }
            (Value::Array(items), entry) => append_missing(items, entry),
            (other, _) => return Err(self.selects_a_primitive(other)),
        };
        if !changed {
            return Ok(Outcome::Unchanged);
        }
        *node = merged;
        Ok(Outcome::Changed)
    }

    fn remove(&self, doc: &mut Value) -> Result<Outcome, String> {
        let Some((parent, name)) = self.target.split_last() else {
            return Err(format!("{}: cannot remove the whole document", self.label));
        };
        let Some(Value::Object(members)) = parent.select_mut(doc) else {
            return Ok(Outcome::Unmatched);
        };
        match members.get(name) {
            None => Ok(Outcome::Unmatched),
            Some(Value::Object(_) | Value::Array(_)) => {
                members.remove(name);
                Ok(Outcome::Changed)
            }
            Some(other) => Err(self.selects_a_primitive(other)),
        }
    }

    fn selects_a_primitive(&self, value: &Value) -> String {
        format!(
            "{}: selects {}; Overlay 1.0 targets objects and arrays only: target the object that \
             holds the value instead",
            self.label,
            kind(value)
        )
    }
}

/// Appends `entry` unless the array holds an equal one already; whether it appended.
fn append_missing(items: &mut Vec<Value>, entry: &Value) -> bool {
    if items.contains(entry) {
        return false;
    }
    items.push(entry.clone());
    true
}

/// Merges `update` into `target`: members only in `update` are added, objects are merged
/// member by member, array entries not already present are appended, other values replaced.
/// A value of another JSON type than the one it meets (an object onto a string, say) is an
/// error naming the place. Returns whether anything changed.
fn merge(target: &mut Value, update: &Value, action: &Action) -> Result<bool, String> {
    merge_at(target, update, &action.target.pointer(), action)
}

fn merge_at(target: &mut Value, update: &Value, at: &str, action: &Action) -> Result<bool, String> {
    match (target, update) {
        (Value::Object(members), Value::Object(updates)) => {
            let mut changed = false;
            for (name, value) in updates {
                match members.get_mut(name) {
                    Some(existing) => {
                        let at = format!("{at}/{}", crate::json::escape_pointer(name));
                        changed |= merge_at(existing, value, &at, action)?;
                    }
                    None => {
                        members.insert(name.clone(), value.clone());
                        changed = true;
                    }
                }
            }
            Ok(changed)
        }
        (Value::Array(items), Value::Array(entries)) => {
            let mut changed = false;
            for entry in entries {
                changed |= append_missing(items, entry);
            }
            Ok(changed)
        }
        (existing, value)
            if !matches!(existing, Value::Object(_) | Value::Array(_))
                && !matches!(value, Value::Object(_) | Value::Array(_)) =>
        {
            let changed = existing != value;
            *existing = value.clone();
            Ok(changed)
        }
        (existing, value) => Err(format!(
            "{}: cannot merge {} into {} at {}",
            action.label,
            kind(value),
            kind(existing),
            if at.is_empty() { "/" } else { at }
        )),
    }
}
