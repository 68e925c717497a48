//! Variables filled from Kubernetes secrets (`secret_references`), replaced whole.

use super::update::Update;

impl Update<'_> {
    /// The file's references when they differ from the current ones (a change that starts a
    /// revision); left alone when the file names none.
    pub(super) fn references(&mut self) {
        let Some(references) = &self.wanted.spec.secret_references else {
            return;
        };
        let old = self.current.secret_references.clone().unwrap_or_default();
        if *references == old {
            return;
        }
        let old = (!old.is_empty()).then(|| serde_json::to_value(&old).unwrap_or_default());
        let new = serde_json::to_value(references).ok();
        self.diff.change("secret_references".into(), old, new, true);
        self.patch.secret_references = Some(references.clone());
    }
}
