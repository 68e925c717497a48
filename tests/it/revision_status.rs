//! The meaning of each revision status for someone waiting on it.

use langsmith_control_plane_api::open_enums::RevisionStatus;

#[test]
fn every_known_status_falls_in_exactly_one_class() {
    for status in RevisionStatus::KNOWN {
        let classes = [
            status.is_success(),
            status.is_failure(),
            status.is_superseded(),
            status.is_in_progress(),
        ];
        assert_eq!(classes.iter().filter(|c| **c).count(), 1, "{status}");
        assert_eq!(status.is_terminal(), !status.is_in_progress(), "{status}");
    }
}

#[test]
fn terminal_statuses_are_deployed_the_failures_and_skipped() {
    let terminal: Vec<&str> = RevisionStatus::KNOWN
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        terminal,
        [
            "CREATE_FAILED",
            "BUILD_FAILED",
            "DEPLOY_FAILED",
            "DEPLOYED",
            "SKIPPED"
        ]
    );
    assert!(RevisionStatus::Deployed.is_success());
    assert!(RevisionStatus::BuildFailed.is_failure());
    assert!(RevisionStatus::Skipped.is_superseded());
}

#[test]
fn passing_and_unrecognized_statuses_keep_a_wait_going() {
    for status in [
        RevisionStatus::Interrupted,
        RevisionStatus::Unknown,
        RevisionStatus::from("PAUSED"),
    ] {
        assert!(status.is_in_progress(), "{status}");
        assert!(!status.is_terminal(), "{status}");
        assert_eq!(status.phase(), None, "{status}");
    }
}

#[test]
fn phases_count_the_six_pipeline_steps_in_order() {
    let steps: Vec<(u8, u8)> = RevisionStatus::KNOWN
        .iter()
        .filter_map(|s| s.phase())
        .map(|p| (p.step, p.total))
        .collect();
    assert_eq!(steps, [(1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6)]);
    assert_eq!(RevisionStatus::Building.phase().unwrap().label, "building");
    assert_eq!(RevisionStatus::Deployed.phase(), None);
}
