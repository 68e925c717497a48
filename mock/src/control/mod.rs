//! What a test controls and observes: injected faults, scripted revisions and seeded data, the
//! requests received, and ready-made request bodies.

pub(crate) mod faults;
pub(crate) mod fixtures;
pub(crate) mod recorded;
pub(crate) mod scripting;
