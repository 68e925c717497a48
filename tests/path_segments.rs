//! `path::Segment`, which the generated code formats path parameters with, writes exactly what
//! progenitor-client's `encode_path` would have.

use langsmith_control_plane_api::path::Segment;
use proptest::prelude::*;

fn same_as_progenitor(text: &str) {
    assert_eq!(
        Segment(&text).to_string(),
        progenitor_client::encode_path(text),
        "{text:?}"
    );
}

#[test]
fn every_ascii_character_and_some_others() {
    for byte in 0u8..=127 {
        same_as_progenitor(&char::from(byte).to_string());
    }
    for text in [
        "",
        "é",
        "日本",
        "emoji 🚀",
        "a/b",
        "%41",
        "x\u{7f}y",
        "\u{0}",
    ] {
        same_as_progenitor(text);
    }
}

#[test]
fn uuids_pass_through_unchanged() {
    let id = uuid::Uuid::from_u128(0x6f1c2a34_8b1e_4c7d_9a55_0d2f6c1e9b01);
    assert_eq!(Segment(&id).to_string(), id.to_string());
}

proptest! {
    #[test]
    fn any_text_encodes_like_progenitor(text in any::<String>()) {
        same_as_progenitor(&text);
    }

    #[test]
    fn any_ascii_text_encodes_like_progenitor(text in "[ -~\t\n]{0,40}") {
        same_as_progenitor(&text);
    }
}
