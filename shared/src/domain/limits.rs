//! Limits per reporter, so that one WhatsApp account cannot fill the
//! officials' queues or a case's timeline: open cases at once, new cases in
//! 24 hours, messages a minute. Counted by `conversation::limits`.

use serde::{Deserialize, Serialize};

/// The limits a city sets (`0` turns one off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReporterLimits {
    pub open_cases: u32,
    pub new_cases_per_day: u32,
    pub messages_per_minute: u32,
}

impl Default for ReporterLimits {
    /// Far above what a citizen with a real problem sends, low enough that a
    /// flood stays a few cases and a few dozen messages.
    fn default() -> Self {
        Self {
            open_cases: 5,
            new_cases_per_day: 10,
            messages_per_minute: 20,
        }
    }
}

impl ReporterLimits {
    pub fn allowed(&self, limit: Limit) -> u32 {
        match limit {
            Limit::MessagesPerMinute => self.messages_per_minute,
            Limit::NewCasesPerDay => self.new_cases_per_day,
            Limit::OpenCases => self.open_cases,
        }
    }

    /// How many of the reporter's latest cases to read when counting their
    /// open ones.
    pub fn cases_to_read(&self) -> i32 {
        i32::try_from(self.open_cases.saturating_add(1)).unwrap_or(i32::MAX)
    }
}

/// Which limit a message ran into. Shown to officials on the reporter's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    MessagesPerMinute,
    NewCasesPerDay,
    OpenCases,
}
