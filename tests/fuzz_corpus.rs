//! Replays every committed fuzz corpus and crash artifact through the fuzz targets' own checks.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

#[test]
fn every_corpus_and_artifact_file_passes_its_target_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut total = 0usize;
    for (name, check) in checks::TARGETS {
        let mut n = 0usize;
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let result = std::panic::catch_unwind(|| check(&data));
                assert!(
                    result.is_ok(),
                    "{name}: {} fails its checks",
                    path.display()
                );
                n += 1;
            }
        }
        assert!(n > 0, "fuzz target {name} has no committed corpus");
        println!("fuzz replay: {name}: {n} files");
        total += n;
    }
    println!("fuzz replay: {total} files in all");
}
