//! The README's "A short tour" is the code `tests/examples/readme_tour.rs` compiles: every `rust`
//! block of that section appears there verbatim, so the tour cannot drift from the API without
//! this test (or the example's build) failing.

/// The `rust` code blocks of the README section that starts with `heading`.
fn rust_blocks_of_section(readme: &str, heading: &str) -> Vec<String> {
    let start = readme.find(heading).expect("the README section");
    let rest = &readme[start + heading.len()..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut blocks = Vec::new();
    let mut pieces = section.split("```");
    pieces.next(); // prose before the first fence
    while let (Some(block), prose) = (pieces.next(), pieces.next()) {
        if let Some(code) = block.strip_prefix("rust\n") {
            blocks.push(code.to_string());
        }
        if prose.is_none() {
            break;
        }
    }
    blocks
}

#[test]
fn the_readme_tour_is_the_compiled_example_verbatim() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{root}/tests/examples/readme_tour.rs")).unwrap();
    let blocks = rust_blocks_of_section(&readme, "## A short tour");
    assert_eq!(blocks.len(), 4, "the tour's code blocks: {blocks:#?}");
    for block in &blocks {
        assert!(
            example.contains(block.as_str()),
            "README block not in tests/examples/readme_tour.rs as written:\n{block}"
        );
    }
}
