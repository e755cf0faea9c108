//! Running independent training jobs (the calibration folds and the final
//! fit) on every core where the platform has threads, one after another
//! where it has not (wasm32). Results do not depend on which: each job is
//! seeded on its own.

/// `items.iter().map(f)`, with the calls spread over threads when possible.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if items.len() > 1 {
            return std::thread::scope(|scope| {
                let f = &f;
                let handles: Vec<_> = items
                    .iter()
                    .map(|item| {
                        std::thread::Builder::new().spawn_scoped(scope, move || f(item)).map_err(|_| item)
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|handle| match handle {
                        Ok(running) => {
                            running.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                        }
                        // No thread could be started: run it here.
                        Err(item) => f(item),
                    })
                    .collect()
            });
        }
    }
    items.iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let squares = super::map(&[1, 2, 3, 4], |x| x * x);
        assert_eq!(squares, [1, 4, 9, 16]);
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
    }
}
