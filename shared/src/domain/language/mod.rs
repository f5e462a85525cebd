//! Reading a citizen's words: Indonesian and Minang stems (`stem`), the
//! city-editable vocabulary (`vocabulary`), and what a message says with it
//! (`reading`): a greeting alone, the kind of report, the status asked in
//! words, a yes or a no. Pure: no I/O once the vocabulary is loaded.

mod reading;
mod stem;
mod vocabulary;

pub use reading::Reading;
pub(crate) use stem::candidates as stems;
pub use vocabulary::{Vocabulary, VocabularyError};
