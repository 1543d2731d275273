//! The HTML sequence diagram of a replayed trace: its structure, checked by plain string search
//! on pages of bundled models (a lost update, a deadlock, an assertion, an invariant, a clean
//! run), the state embedded for the side panel, self-containment and escaping.

use std::path::PathBuf;

use migcheck_engine::replay::{replay, Trace};
use migcheck_lang::ir::Model;
use migcheck_report::{html, Source};

/// The workspace root, where the bundled models live.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A model file read and compiled the way the CLI does, with `path` relative to the root.
struct Loaded {
    path: String,
    text: String,
    model: Model,
}

fn load(path: &str) -> Loaded {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).map_err(|e| e.to_string());
    let text = read(path).expect("the bundled model is readable");
    let model = migcheck_lang::compile_file(path, &text, &read).expect("the bundled model checks");
    Loaded {
        path: path.to_string(),
        text,
        model,
    }
}

/// Replays `schedule` on a loaded model and renders its page.
fn render(m: &Loaded, schedule: &str) -> (Trace, String) {
    let trace = replay(&m.model, schedule).expect("the schedule fits");
    let source = Source {
        path: &m.path,
        text: &m.text,
        files: &m.model.files,
    };
    let page = html::page(source, &m.model, &trace, schedule);
    (trace, page)
}

/// The text of the element that starts at the first `open` (a tag prefix) up to its `close`.
fn element<'a>(page: &'a str, open: &str, close: &str) -> &'a str {
    let start = page
        .find(open)
        .unwrap_or_else(|| panic!("no `{open}` in the page"));
    let end = page[start..]
        .find(close)
        .unwrap_or_else(|| panic!("`{open}` is not closed"));
    &page[start..start + end + close.len()]
}

/// The row with id `id`: `start`, `step-N` or `end`.
fn row<'a>(page: &'a str, id: &str) -> &'a str {
    element(page, &format!("<tr id=\"{id}\""), "</tr>")
}

/// The `<td>` cells of a row, each from just after its `<td` to the next cell.
fn cells(row: &str) -> Vec<&str> {
    row.split("<td").skip(1).collect()
}

/// The cell of lane `task` in a row.
fn lane(row: &str, task: usize) -> &str {
    let marker = format!("data-task=\"{task}\"");
    cells(row)
        .into_iter()
        .find(|c| c.split('>').next().is_some_and(|tag| tag.contains(&marker)))
        .unwrap_or_else(|| panic!("no lane {task} in {row}"))
}

/// The class attribute of a cell (as `cells` gives it).
fn class(cell: &str) -> &str {
    cell.split("class=\"")
        .nth(1)
        .and_then(|c| c.split('"').next())
        .unwrap_or("")
}

/// The page's text with the tags taken out and the common entities decoded.
fn text(page: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The embedded state of every step, parsed back.
fn states(page: &str) -> serde_json::Value {
    let script = element(
        page,
        "<script type=\"application/json\" id=\"states\">",
        "</script>",
    );
    let json = script
        .trim_start_matches("<script type=\"application/json\" id=\"states\">")
        .trim_end_matches("</script>");
    serde_json::from_str(json).expect("the embedded states are JSON")
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// The markup tags of a page, from each `<` to the next `>` (text from the model is escaped, and
/// the embedded JSON holds no `<`, so every `<` opens a tag).
fn tags(page: &str) -> Vec<&str> {
    page.match_indices('<')
        .map(|(i, _)| &page[i..i + page[i..].find('>').expect("a closed tag") + 1])
        .collect()
}

/// Asserts that nothing in the page would load from outside it.
fn assert_self_contained(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"));
    for tag in tags(page) {
        let lower = tag.to_ascii_lowercase();
        for banned in [
            "<link", "<img", "<iframe", "<object", "<embed", "<base", " src=",
        ] {
            assert!(!lower.contains(banned), "the page holds `{tag}`");
        }
        if let Some(i) = lower.find("href=") {
            assert!(
                lower[i..].starts_with("href=\"#"),
                "a link out of the page: {tag}"
            );
        }
    }
    let style = element(page, "<style>", "</style>");
    assert!(!style.contains("url(") && !style.contains("@import"));
    for scheme in ["http://", "https://", "file://"] {
        assert!(!page.contains(scheme), "the page names `{scheme}`");
    }
    assert_eq!(
        page.matches("<script").count(),
        2,
        "the data and one script"
    );
    assert_eq!(page.matches("<style>").count(), 1, "one inline style sheet");
}

const LOST_UPDATE: &str = "models/examples/01_lost_update_bug.mig";
const LOST_UPDATE_SCHEDULE: &str = "conductor,conductor,heal,conductor,heal";

#[test]
fn a_lost_update_has_a_row_per_step_a_lane_per_task_and_its_three_steps_marked() {
    let m = load(LOST_UPDATE);
    let (trace, page) = render(&m, LOST_UPDATE_SCHEDULE);
    assert_eq!(trace.steps.len(), 5);
    assert_self_contained(&page);

    // One lane per task, in declaration order, then the shared state.
    let head = element(&page, "<thead>", "</thead>");
    assert_eq!(head.matches("class=\"lane-head").count(), 2);
    let conductor = head.find(">conductor</th>").expect("a conductor lane");
    let heal = head.find(">heal</th>").expect("a heal lane");
    assert!(conductor < heal);
    assert!(head.contains(">shared state</th>"));

    // One row per step, in order, each with a cell per lane and the shared column; only the
    // stepping task's lane holds a card.
    assert_eq!(page.matches("<tr id=\"step-").count(), 5);
    let tasks = [0, 0, 1, 0, 1];
    let mut last = 0;
    for (i, &task) in tasks.iter().enumerate() {
        let id = format!("step-{}", i + 1);
        let at = page.find(&format!("<tr id=\"{id}\"")).expect("the row");
        assert!(at > last, "rows in step order");
        last = at;
        let r = row(&page, &id);
        assert_eq!(cells(r).len(), 3, "two lanes and the shared column in {id}");
        assert_eq!(r.matches("class=\"card\"").count(), 1, "{id}");
        assert!(lane(r, task).contains("class=\"card\""), "{id}");
        assert!(!lane(r, 1 - task).contains("class=\"card\""), "{id}");
    }

    // The statements with their lines, the values read and written, the changes.
    let step1 = lane(row(&page, "step-1"), 0);
    assert!(step1.contains("line 32</span> <code>let a = alloc_inst</code>"));
    assert!(step1.contains("read alloc_inst = 1"));
    let step2 = row(&page, "step-2");
    assert!(lane(step2, 0).contains("write alloc_mig = 1"));
    assert!(step2.contains("<span class=\"loc\">alloc_mig</span>: 0 → 1"));
    assert!(row(&page, "step-1").contains(">unchanged<"));
    assert!(lane(row(&page, "step-5"), 1).contains(">finished<"));

    // The triple: heal's read at step 3, conductor's write at step 4, heal's overwrite at 5.
    let marked = [
        ("step-3", 1, "lu-read"),
        ("step-4", 0, "lu-write"),
        ("step-5", 1, "lu-overwrite"),
    ];
    for (id, task, role) in marked {
        let cell = lane(row(&page, id), task);
        assert_eq!(class(cell), format!("lane cell {role}"), "{id}");
        assert!(cell.contains(&format!("<div class=\"badge {role}\">")));
    }
    for role in ["lu-read", "lu-write", "lu-overwrite"] {
        assert_eq!(
            page.matches(&format!("<td class=\"lane cell {role}\""))
                .count(),
            1,
            "one {role} cell"
        );
    }
    assert!(lane(row(&page, "step-3"), 1).contains("ev read hl\">read alloc_inst = 1"));
    assert!(lane(row(&page, "step-5"), 1).contains("ev write hl\">write alloc_inst = 2"));

    // The header and its legend.
    let t = text(&page);
    assert!(t.contains("lost_update alloc_inst: lost update of `alloc_inst`"));
    assert!(t.contains(&format!(
        "migcheck replay {LOST_UPDATE} --schedule {LOST_UPDATE_SCHEDULE}"
    )));
    assert!(t.contains("Lost update of alloc_inst: read other task's write overwrite"));
}

#[test]
fn the_state_after_every_step_is_embedded_and_shown_without_javascript() {
    let m = load(LOST_UPDATE);
    let (trace, page) = render(&m, LOST_UPDATE_SCHEDULE);
    let doc = states(&page);
    assert_eq!(strings(&doc["slots"]), ["alloc_inst", "alloc_mig"]);
    assert_eq!(strings(&doc["tasks"]), ["conductor", "heal"]);
    let states = doc["states"].as_array().expect("states");
    assert_eq!(
        states.len(),
        trace.steps.len() + 1,
        "the initial state and one per step"
    );
    let expected = [
        ["1", "0"],
        ["1", "0"],
        ["1", "1"],
        ["1", "1"],
        ["0", "1"],
        ["2", "1"],
    ];
    for (i, (s, want)) in states.iter().zip(expected).enumerate() {
        assert_eq!(s["step"], i);
        assert_eq!(strings(&s["values"]), want, "state after step {i}");
    }
    let last: Vec<String> = trace.state.shared.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        strings(&states[5]["values"]),
        last,
        "agrees with replay's own state"
    );
    assert_eq!(states[2]["changed"], serde_json::json!([1]));
    assert_eq!(states[5]["changed"], serde_json::json!([0]));
    assert_eq!(strings(&states[0]["status"]), ["running", "running"]);
    assert_eq!(strings(&states[3]["status"]), ["running", "running"]);
    assert_eq!(strings(&states[4]["status"]), ["finished", "running"]);
    assert_eq!(strings(&states[5]["status"]), ["finished", "finished"]);

    // Every row names the state it shows; the static panel holds the last one.
    assert!(page.contains("<tr id=\"start\" class=\"initial\" data-state=\"0\">"));
    assert!(page.contains("<tr id=\"step-4\" class=\"step\" data-state=\"4\">"));
    assert!(page.contains("<tr id=\"end\" class=\"end\" data-state=\"5\">"));
    let panel = element(&page, "<aside id=\"panel\">", "</aside>");
    assert!(panel.contains("<tr class=\"changed\"><th>alloc_inst</th><td>2</td></tr>"));
    assert!(panel.contains("<tr><th>alloc_mig</th><td>1</td></tr>"));
    assert!(panel.contains("<b>heal</b>: finished"));
    assert!(row(&page, "start").contains("alloc_inst = 1, alloc_mig = 0"));
}

#[test]
fn a_deadlock_marks_the_blocked_lanes_and_names_the_cycle() {
    let m = load("models/examples/02_deadlock_bug.mig");
    let (trace, page) = render(&m, "confirm,audit");
    assert_self_contained(&page);
    assert_eq!(page.matches("<tr id=\"step-").count(), 2);
    assert!(lane(row(&page, "step-1"), 0).contains("takes lock inst_lock"));
    assert!(lane(row(&page, "step-2"), 1).contains("takes lock resource_sem"));

    let end = row(&page, "end");
    assert!(end.starts_with("<tr id=\"end\" class=\"end failing\""));
    for (task, line, wait) in [
        (0, 31, "waits for lock resource_sem held by audit"),
        (1, 40, "waits for lock inst_lock held by confirm"),
    ] {
        let cell = lane(end, task);
        assert_eq!(class(cell), "lane cell blocked in-cycle");
        assert!(cell.contains(&format!("line {line}</span>")));
        assert!(cell.contains(wait), "{cell}");
    }
    let t = text(&page);
    assert!(t.contains("confirm waits for lock resource_sem held by audit, at line 31"));
    assert!(t.contains("audit waits for lock inst_lock held by confirm, at line 40"));
    assert!(t.contains("wait-for cycle: confirm → audit → confirm"));
    let head = element(&page, "<thead>", "</thead>");
    assert_eq!(head.matches("lane-head in-cycle").count(), 2);

    let doc = states(&page);
    let states = doc["states"].as_array().expect("states");
    assert_eq!(states.len(), trace.steps.len() + 1);
    assert_eq!(strings(&states[0]["locks"]), ["free", "free"]);
    assert_eq!(strings(&states[1]["locks"]), ["held by confirm", "free"]);
    assert_eq!(
        strings(&states[2]["locks"]),
        ["held by confirm", "held by audit"]
    );
    assert_eq!(strings(&states[2]["status"]), ["blocked", "blocked"]);
    assert_eq!(strings(&states[1]["status"]), ["running", "running"]);
}

#[test]
fn a_failed_assertion_marks_its_step() {
    let m = load("models/examples/05_assertion_bug.mig");
    let (trace, page) = render(&m, "prep_resize:1,conductor,conductor,conductor");
    assert_eq!(page.matches("<tr id=\"step-").count(), 4);
    let last = row(&page, "step-4");
    assert!(last.starts_with("<tr id=\"step-4\" class=\"step failing\""));
    let cell = lane(last, 1);
    assert_eq!(class(cell), "lane cell failed");
    assert!(cell.contains("fails at <span class=\"at\">line 49</span>"));
    assert!(text(cell).contains("assertion failed: reschedule"));
    // Only the failing step is marked.
    assert_eq!(page.matches("class=\"step failing\"").count(), 1);
    assert!(lane(row(&page, "step-1"), 0).contains("chooses 1"));

    // A failed step changes nothing.
    let doc = states(&page);
    let states = doc["states"].as_array().expect("states");
    assert_eq!(states.len(), trace.steps.len() + 1);
    assert_eq!(states[3]["values"], states[4]["values"]);
    assert_eq!(states[4]["changed"], serde_json::json!([]));
}

#[test]
fn a_broken_invariant_marks_the_state_that_breaks_it() {
    let m = load("models/examples/03_invariant_bug.mig");
    let (_, page) = render(&m, "migrate[0]:0,migrate[1]:0,migrate[0],migrate[1]");
    assert_eq!(page.matches("<tr id=\"step-").count(), 4);
    let head = element(&page, "<thead>", "</thead>");
    assert!(head.contains(">migrate[0]</th>") && head.contains(">migrate[1]</th>"));
    let last = row(&page, "step-4");
    assert!(last.starts_with("<tr id=\"step-4\" class=\"step failing\""));
    assert!(last.contains("<div class=\"violates\">invariant capacity</div>"));
    assert!(last.contains("<span class=\"loc\">usage[0]</span>: 2 → 3"));
    assert_eq!(
        page.matches(" failing\" data-state").count(),
        1,
        "one row marked"
    );

    // An invariant false in the initial state marks the first row.
    let text = "model m\nshared x: int = 1\ntask a { x = 0 }\ninvariant zero: x == 0\n";
    let model = migcheck_lang::compile(text).expect("the model checks");
    let m = Loaded {
        path: "m.mig".into(),
        text: text.into(),
        model,
    };
    let (trace, page) = render(&m, "");
    assert!(trace.violation.is_some());
    assert!(row(&page, "start").starts_with("<tr id=\"start\" class=\"initial failing\""));
    assert!(row(&page, "start").contains("invariant zero"));
    assert!(page.contains("(empty: the initial state)"));
    assert_eq!(states(&page)["states"].as_array().map(Vec::len), Some(1));
}

#[test]
fn lines_of_included_files_name_the_file() {
    let m = load("models/nova/1836754_consumer_generation_swap_bug.mig");
    let (_, page) = render(&m, "conductor,heal,heal,conductor");
    assert_self_contained(&page);
    let step1 = lane(row(&page, "step-1"), 0);
    assert!(
        step1.contains(
            "<span class=\"at\" title=\"models/nova/lib/placement.migl:24\">placement.migl:24</span>"
        ),
        "{step1}"
    );
    assert!(step1.contains("<span class=\"at\">line 79</span>"));
}

#[test]
fn a_run_without_a_violation_says_how_it_ended() {
    let m = load("models/examples/01_lost_update_fix.mig");
    let (_, page) = render(&m, "conductor,heal");
    assert!(page.contains("<dd class=\"verdict good\"><strong>no violation</strong>"));
    assert!(text(&page).contains("every task has finished"));
    let marked = |t: &&str| t.contains("failing") || t.contains("lu-") || t.contains("blocked");
    assert!(!tags(&page).iter().any(marked), "nothing is marked");
    let end = row(&page, "end");
    assert!(lane(end, 0).contains(">finished<") && lane(end, 1).contains(">finished<"));
    // A finished task's lifeline ends: heal's lane after conductor's step is still drawn,
    // conductor's lane at heal's step is not.
    assert_eq!(class(lane(row(&page, "step-2"), 0)), "lane ended");
    assert_eq!(class(lane(row(&page, "step-1"), 1)), "lane");

    let (_, page) = render(&m, "conductor");
    assert!(text(&page).contains("still running: heal"));
    assert!(lane(row(&page, "end"), 1).contains("still running"));
}

#[test]
fn text_from_the_model_is_escaped() {
    let text = "model evil \"<script>alert(1)</script>\"\n\
                shared x: int = 0\n\
                task a { x = 1; assert x == 0, \"</script><img src=x onerror=alert(2)>\" }\n";
    let model = migcheck_lang::compile(text).expect("the model checks");
    let m = Loaded {
        path: "it's <b>\"bold\"</b>.mig".into(),
        text: text.into(),
        model,
    };
    let (trace, page) = render(&m, "a,a");
    assert!(trace.violation.is_some());
    assert_self_contained(&page);
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<b>\""));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(page.contains("it&#39;s &lt;b&gt;&quot;bold&quot;&lt;/b&gt;.mig"));
    // The text still reads as written.
    let t = self::text(&page);
    assert!(t.contains("<script>alert(1)</script>"));
    assert!(t.contains("assertion failed: </script><img src=x onerror=alert(2)>"));
}
