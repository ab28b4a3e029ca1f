//! How a call in progress follows S3's region redirect: after the retry policy declined an
//! answer, the rules of `client::redirect` say whether S3 sent the call to another region; if
//! so the call is re-targeted and sent again at once, after asking the bucket its region with a
//! `HeadBucket` call of its own when the answer does not name it.

use crate::error::Error;
use crate::machine::{RandomSource, SplitMix64};
use crate::value::Value;

use super::super::redirect::{bucket_region_header, region_in_answer, wants_redirect};
use super::{CallMachine, Outcome, State};

impl CallMachine<'_> {
    /// The retry policy declined `answer`: redirect the call to its bucket's region when S3 says
    /// it is elsewhere (asking the bucket when the answer does not name the region), else end
    /// the call with it.
    pub(super) fn maybe_redirect(&mut self, answer: Outcome) {
        let region = match &answer.result {
            Err(Error::Service(e))
                if !self.redirected
                    && self.prepared.redirect.is_some()
                    && wants_redirect(self.prepared.operation(), e) =>
            {
                region_in_answer(e).map(String::from)
            }
            _ => return self.finish(answer),
        };
        match region {
            Some(region) => self.redirect_to(&region, answer),
            None if self.may_probe => self.start_probe(answer),
            None => self.finish(answer),
        }
    }

    /// Send the call again at once, re-targeted at `region`.
    fn redirect_to(&mut self, region: &str, answer: Outcome) {
        match self.client.redirect(&mut self.prepared, region) {
            Ok(()) => {
                self.redirected = true;
                self.attempts.next_attempt();
                self.state = State::Ready;
            }
            Err(e) => self.finish(Outcome {
                result: Err(e),
                ..answer
            }),
        }
    }

    /// Ask the bucket its region with a `HeadBucket` call (botocore makes it with the same
    /// client, so it has its own retries and may itself be redirected, but never probes).
    fn start_probe(&mut self, answer: Outcome) {
        let Some(bucket) = self
            .prepared
            .redirect
            .as_ref()
            .map(|t| t.bucket().to_string())
        else {
            return self.finish(answer);
        };
        let mut rng: Box<dyn RandomSource> = Box::new(SplitMix64(self.rng.next_u64()));
        let prepared = match self.client.prepare(
            "HeadBucket",
            crate::params! {"Bucket": bucket},
            rng.as_mut(),
        ) {
            Ok(prepared) => prepared,
            Err(e) => {
                return self.finish(Outcome {
                    result: Err(e),
                    ..answer
                })
            }
        };
        let mut probe = CallMachine::new(self.client, prepared, self.identity.clone(), rng);
        probe.may_probe = false;
        self.pass_on(&mut probe);
        self.state = State::Probing {
            probe: Box::new(probe),
            unanswered: answer,
        };
    }

    /// The probe ended: redirect to the region its answer (success or error) names, end the
    /// call with the original answer when it names none, or with the probe's own failure when
    /// it got no answer at all (as botocore lets that exception through).
    pub(super) fn redirect_after_probe(&mut self, probed: Result<Value, Error>, answer: Outcome) {
        let region = match &probed {
            Ok(value) => bucket_region_header(value),
            Err(Error::Service(e)) => bucket_region_header(&e.fields),
            Err(_) => None,
        }
        .map(String::from);
        match (region, probed) {
            (Some(region), _) => self.redirect_to(&region, answer),
            (None, Ok(_) | Err(Error::Service(_))) => self.finish(answer),
            (None, Err(e)) => self.finish(Outcome {
                result: Err(e),
                ..answer
            }),
        }
    }
}
