//! What officials see of a citizen's free text (a description, a message, a
//! caption, a place name): long numbers masked, and in lists only the start.
//! The table keeps what the citizen wrote; these shape it on the way out.

mod excerpt;
mod mask;

pub use excerpt::{excerpt, Excerpt};
pub use mask::{mask_numbers, MASK};
