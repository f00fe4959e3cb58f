//! What a long `bench` says on stderr while it runs: nothing for the first second, then a line
//! every few seconds, so that minutes of timing never pass in silence. A thread of its own
//! says it, since one run of a huge shape can itself take seconds.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::output::say;

/// The first line comes after this long...
const FIRST: Duration = Duration::from_secs(1);
/// ...and the next ones this far apart.
const EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
struct State {
    doing: String,
    done: bool,
}

pub struct Ticker {
    shared: Arc<(Mutex<State>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts telling, from a second from now, what `doing` says.
    pub fn start(doing: &str) -> Self {
        let shared = Arc::new((
            Mutex::new(State {
                doing: doing.to_string(),
                done: false,
            }),
            Condvar::new(),
        ));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || tell(&theirs))
            .ok();
        Ticker { shared, thread }
    }

    /// What is being done now, for the next line.
    pub fn doing(&self, doing: String) {
        if let Ok(mut state) = self.shared.0.lock() {
            state.doing = doing;
        }
    }
}

fn tell(shared: &(Mutex<State>, Condvar)) {
    let started = Instant::now();
    let mut next = FIRST;
    let Ok(mut state) = shared.0.lock() else {
        return;
    };
    loop {
        let wait = next.saturating_sub(started.elapsed());
        state = match shared.1.wait_timeout(state, wait) {
            Ok((state, _)) => state,
            Err(_) => return,
        };
        if state.done {
            return;
        }
        let elapsed = started.elapsed();
        if elapsed >= next {
            say(&format!(
                "{} ({:.0} s so far)",
                state.doing,
                elapsed.as_secs_f64()
            ));
            next = elapsed + EVERY;
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Ok(mut state) = self.shared.0.lock() {
            state.done = true;
        }
        self.shared.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
