//! Where things are, relative to the repository.

use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository root")
        .to_path_buf()
}

/// A binary installed by npm into the repository's `node_modules`.
pub fn npm_bin(name: &str) -> PathBuf {
    repo_root().join("node_modules/.bin").join(name)
}
