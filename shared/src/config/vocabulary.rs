//! `VOCABULARY_FILE`: the words the webhook reads citizens' messages with;
//! default: the shipped `config/vocabulary/id.json`.

use std::path::Path;

use super::{ConfigError, Env};
use crate::domain::language::Vocabulary;

pub const VOCABULARY_FILE: &str = "VOCABULARY_FILE";

pub fn load(env: &Env) -> Result<Vocabulary, ConfigError> {
    match env.optional(VOCABULARY_FILE) {
        Some(path) => Vocabulary::load(Path::new(&path)).map_err(|e| ConfigError::Invalid {
            name: VOCABULARY_FILE.into(),
            reason: e.to_string(),
        }),
        None => Ok(Vocabulary::shipped().clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_names_the_variable_and_the_file() {
        let env = Env::from_pairs([(VOCABULARY_FILE, "/nonexistent/vocabulary.json")]);
        let err = load(&env).unwrap_err().to_string();
        assert!(
            err.starts_with("VOCABULARY_FILE is invalid: /nonexistent/vocabulary.json"),
            "{err}"
        );
        assert!(load(&Env::from_pairs(Vec::<(String, String)>::new())).is_ok());
    }
}
