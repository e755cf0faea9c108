//! Located validation problems, collected rather than returned one at a time.

use std::fmt;

/// One thing wrong with a spec, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// Where the problem is, as a path such as `flows.book.steps[2]`.
    pub path: String,
    /// What is wrong, in words a spec author understands.
    pub message: String,
}

impl fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found while loading a spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    /// The problems, in the order they were found.
    pub problems: Vec<SpecProblem>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "invalid bot spec ({n} problem{})", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// A collector of problems that validators push into.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<SpecProblem>,
}

impl Problems {
    /// Records a problem at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.list.push(SpecProblem { path: path.into(), message: message.into() });
    }

    /// True when nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Turns the collected problems into a result.
    pub fn into_result(self) -> Result<(), SpecError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(SpecError { problems: self.list })
        }
    }
}
