//! The bundled models and libraries that the fuzz targets start from, compiled into the binary
//! so that a target reads no file.

/// The Nova libraries, by the path an `include` in `models/nova/*.mig` resolves to.
pub const LIBRARIES: &[(&str, &str)] = &[
    (
        "models/nova/lib/instance.migl",
        include_str!("../../models/nova/lib/instance.migl"),
    ),
    (
        "models/nova/lib/placement.migl",
        include_str!("../../models/nova/lib/placement.migl"),
    ),
    (
        "models/nova/lib/provider.migl",
        include_str!("../../models/nova/lib/provider.migl"),
    ),
    (
        "models/nova/lib/resource_tracker.migl",
        include_str!("../../models/nova/lib/resource_tracker.migl"),
    ),
    (
        "models/nova/lib/two_nodes.migl",
        include_str!("../../models/nova/lib/two_nodes.migl"),
    ),
];

/// Models (path, text) whose schedules `schedule_replay` fuzzes: the examples and a few Nova
/// models that include libraries.
pub const MODELS: &[(&str, &str)] = &[
    (
        "models/examples/01_lost_update_bug.mig",
        include_str!("../../models/examples/01_lost_update_bug.mig"),
    ),
    (
        "models/examples/01_lost_update_fix.mig",
        include_str!("../../models/examples/01_lost_update_fix.mig"),
    ),
    (
        "models/examples/02_deadlock_bug.mig",
        include_str!("../../models/examples/02_deadlock_bug.mig"),
    ),
    (
        "models/examples/02_deadlock_fix.mig",
        include_str!("../../models/examples/02_deadlock_fix.mig"),
    ),
    (
        "models/examples/03_invariant_bug.mig",
        include_str!("../../models/examples/03_invariant_bug.mig"),
    ),
    (
        "models/examples/03_invariant_fix.mig",
        include_str!("../../models/examples/03_invariant_fix.mig"),
    ),
    (
        "models/examples/04_final_bug.mig",
        include_str!("../../models/examples/04_final_bug.mig"),
    ),
    (
        "models/examples/04_final_fix.mig",
        include_str!("../../models/examples/04_final_fix.mig"),
    ),
    (
        "models/examples/05_assertion_bug.mig",
        include_str!("../../models/examples/05_assertion_bug.mig"),
    ),
    (
        "models/examples/05_assertion_fix.mig",
        include_str!("../../models/examples/05_assertion_fix.mig"),
    ),
    (
        "models/examples/06_model_error_bug.mig",
        include_str!("../../models/examples/06_model_error_bug.mig"),
    ),
    (
        "models/examples/06_model_error_fix.mig",
        include_str!("../../models/examples/06_model_error_fix.mig"),
    ),
    (
        "models/nova/1719933_concurrent_claims_bug.mig",
        include_str!("../../models/nova/1719933_concurrent_claims_bug.mig"),
    ),
    (
        "models/nova/1879878_confirm_audit_bug.mig",
        include_str!("../../models/nova/1879878_confirm_audit_bug.mig"),
    ),
    (
        "models/nova/1848343_rollback_after_delete_bug.mig",
        include_str!("../../models/nova/1848343_rollback_after_delete_bug.mig"),
    ),
];
