//! Opt-in: the HTML sequence diagram rendered by a real browser, headless Chromium (Debian's
//! `chromium` package). Runs only with `MIGCHECK_CHROMIUM=1`; otherwise each test says it was
//! skipped and passes, so that `cargo test` needs no browser. `MIGCHECK_CHROMIUM_BIN` names
//! another binary (`chromium-browser`, `google-chrome`).
//!
//! The screenshots stay in the target directory's test folder (the path is printed) so that a
//! person can look at them; the DOM dump checks that the page's script runs and fills the state
//! panel for the step named in the address (`#step-3`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use migcheck_engine::replay::replay;
use migcheck_report::{html, Source};

/// Whether the opt-in is on; says so when it is not.
fn enabled(test: &str) -> bool {
    let on = std::env::var("MIGCHECK_CHROMIUM").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("{test}: skipped (set MIGCHECK_CHROMIUM=1 to render in headless Chromium)");
    }
    on
}

/// Renders the page of a bundled model's replay into the test folder and returns its path.
fn write_page(model_path: &str, schedule: &str, name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| e.to_string());
    let text = read(model_path).expect("the bundled model is readable");
    let model =
        migcheck_lang::compile_file(model_path, &text, &read).expect("the bundled model checks");
    let trace = replay(&model, schedule).expect("the schedule fits");
    let source = Source {
        path: model_path,
        text: &text,
        files: &model.files,
    };
    let page = html::page(source, &model, &trace, schedule);
    let dir = out_dir();
    let file = dir.join(format!("{name}.html"));
    std::fs::write(&file, page).expect("the page is written");
    file
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-chromium");
    std::fs::create_dir_all(&dir).expect("the test folder is created");
    dir
}

/// Runs headless Chromium with `args` then `url`, within a minute; returns its standard output.
fn chromium(args: &[String], url: &str) -> Vec<u8> {
    let bin = std::env::var("MIGCHECK_CHROMIUM_BIN").unwrap_or_else(|_| "chromium".into());
    let mut child = Command::new(&bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {bin} (apt-get install chromium): {e}"));
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut stdout = stdout;
        std::io::Read::read_to_end(&mut stdout, &mut out).map(|_| out)
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{bin} did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{bin} failed: {status}");
    reader
        .join()
        .expect("the reader thread")
        .expect("chromium's output")
}

fn url(file: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", file.display())
}

/// Takes a 1400×900 screenshot of `page` and checks that it is a real picture.
fn screenshot(page: &Path, fragment: &str) -> PathBuf {
    let png = page.with_extension("png");
    let _ = std::fs::remove_file(&png);
    chromium(
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1400,900".into(),
            "--hide-scrollbars".into(),
        ],
        &url(page, fragment),
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");
    // A blank 1400×900 page compresses to a few kilobytes; the diagram is far more.
    assert!(
        bytes.len() > 30_000,
        "the screenshot is nearly empty: {} bytes",
        bytes.len()
    );
    println!("screenshot: {}", png.display());
    png
}

#[test]
fn chromium_renders_a_lost_update() {
    if !enabled("chromium_renders_a_lost_update") {
        return;
    }
    let page = write_page(
        "models/examples/01_lost_update_bug.mig",
        "conductor,conductor,heal,conductor,heal",
        "lost_update",
    );
    screenshot(&page, "#step-3");
}

#[test]
fn chromium_renders_a_deadlock() {
    if !enabled("chromium_renders_a_deadlock") {
        return;
    }
    let page = write_page(
        "models/examples/02_deadlock_bug.mig",
        "confirm,audit",
        "deadlock",
    );
    screenshot(&page, "");
}

#[test]
fn chromium_renders_a_long_trace_over_an_included_library() {
    if !enabled("chromium_renders_a_long_trace_over_an_included_library") {
        return;
    }
    let page = write_page(
        "models/nova/1836754_consumer_generation_swap_bug.mig",
        "conductor,heal,heal,conductor",
        "included_library",
    );
    screenshot(&page, "");
}

#[test]
fn the_script_shows_the_state_of_the_step_in_the_address() {
    if !enabled("the_script_shows_the_state_of_the_step_in_the_address") {
        return;
    }
    let page = write_page(
        "models/examples/01_lost_update_bug.mig",
        "conductor,conductor,heal,conductor,heal",
        "lost_update_dom",
    );
    let dom = String::from_utf8(chromium(&["--dump-dom".into()], &url(&page, "#step-2")))
        .expect("the DOM is text");
    // The static page shows the end; the script selected step 2 and refilled the panel.
    assert!(
        dom.contains("<h2 id=\"panel-title\">State after step 2</h2>"),
        "{dom}"
    );
    assert!(dom.contains("<tr id=\"step-2\" class=\"step selected\""));
    assert!(dom.contains("<tr><th>alloc_inst</th><td>1</td></tr>"));
    assert!(dom.contains("<tr class=\"changed\"><th>alloc_mig</th><td>1</td></tr>"));
    assert!(dom.contains("<li class=\"status-running\"><b>conductor</b>: running</li>"));
}
