//! A schema example with a few structure-aware mutations, decoded as that schema's type.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Unstructured;
use langsmith_control_plane_fuzz::decoding::{examples, round_trip_named};
use langsmith_control_plane_fuzz::{json, mutation};
use libfuzzer_sys::fuzz_target;

fn words() -> &'static [String] {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words = Vec::new();
        for (_, example) in examples() {
            json::words(example, &mut words);
        }
        words.sort();
        words.dedup();
        words
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((name, example)) = u.choose(examples()) else {
        return;
    };
    let mut doc = example.clone();
    if mutation::mutate(&mut u, &mut doc, words()).is_err() {
        return;
    }
    let bytes = serde_json::to_vec(&doc).expect("a Value encodes");
    round_trip_named(name, &bytes);
});
