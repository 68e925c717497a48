//! The operations of the matrix, and how each fault is put on the wire: the mock's fault
//! injection where it has the fault, the scripted server where the fault is below HTTP.

use langsmith_control_plane::types::RevisionStatus;
use langsmith_control_plane::{Client, Error, RevisionOutcome, WaitOptions};
use langsmith_control_plane_mock::{Fault, MockServer, Timing, github_deployment_request};
use serde_json::{Value, json};
use uuid::Uuid;

use std::time::Duration;

use super::table::faulty_requests;
use super::{
    HEAVY_REQUEST_TIMEOUT, NO_SERVER_WAIT_TIMEOUT, POLL_INTERVAL, REQUEST_TIMEOUT, WAIT_TIMEOUT,
};
use crate::support::{self, Reply, Seen, Server};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Get,
    List,
    Wait,
    Create,
    Redeploy,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::Get, Op::List, Op::Wait, Op::Create, Op::Redeploy];

    pub fn title(self) -> &'static str {
        match self {
            Op::Get => "Get Revision",
            Op::List => "List revisions",
            Op::Wait => "Wait",
            Op::Create => "Create deployment",
            Op::Redeploy => "Redeploy",
        }
    }

    /// The operation whose requests are counted (a wait polls Get Revision).
    pub fn operation_id(self) -> &'static str {
        match self {
            Op::Get | Op::Wait => "get_revision",
            Op::List => "list_revisions",
            Op::Create => "create_deployment",
            Op::Redeploy => "redeploy_revision",
        }
    }

    pub fn is_post(self) -> bool {
        matches!(self, Op::Create | Op::Redeploy)
    }

    fn success_status(self) -> u16 {
        if self == Op::Create { 201 } else { 200 }
    }

    /// The answer of a healthy server, with these enum values.
    fn answer(self, seen: &Seen, values: &Values) -> Reply {
        let body = match self {
            Op::Get => revision(support::R, values.revision_status),
            Op::Wait => revision(support::R, RevisionStatus::Deployed.as_str()),
            Op::List => {
                let param = |name, default| {
                    seen.query_param(name)
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(default)
                };
                let (offset, limit) = (param("offset", 0), param("limit", 20));
                let page: Vec<Value> = LISTED
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|id| revision(id, values.revision_status))
                    .collect();
                json!({"resources": page, "offset": offset})
            }
            Op::Create | Op::Redeploy => {
                let mut body = support::deployment(Some(support::R));
                body["status"] = json!(values.deployment_status);
                body["source"] = json!(values.source);
                body
            }
        };
        Reply::json(self.success_status(), body)
    }

    fn healthy(self, seen: &Seen) -> Reply {
        self.answer(seen, &KNOWN)
    }

    /// Runs the operation as a caller would (a wait with this timeout).
    pub async fn run(
        self,
        client: &Client,
        ids: Ids,
        wait_timeout: Duration,
    ) -> Result<Ended, Error> {
        let revisions = client.revisions(ids.deployment);
        Ok(match self {
            Op::Get => {
                let revision = revisions.get(ids.revision).await?;
                Ended::success(!revision.status.is_known())
            }
            Op::List => {
                let listed = revisions.list().page_size(2).collect().await?;
                if listed.len() != LISTED.len() {
                    return Ok(Ended::Unexpected(format!(
                        "{} revisions listed, not 3",
                        listed.len()
                    )));
                }
                Ended::success(listed.iter().any(|r| !r.status.is_known()))
            }
            Op::Wait => {
                let options = WaitOptions::default()
                    .fixed_interval(POLL_INTERVAL)
                    .timeout(wait_timeout);
                match client
                    .wait_for_revision(ids.deployment, ids.revision, options)
                    .await?
                {
                    RevisionOutcome::Deployed(_) => Ended::success(false),
                    RevisionOutcome::TimedOut {
                        last_seen: None, ..
                    } => Ended::TimedOut,
                    other => Ended::Unexpected(format!("wait ended {other:?}")),
                }
            }
            Op::Create => {
                let request = github_deployment_request("fault-matrix");
                let deployment = client.deployments().create(request).await?;
                Ended::success(!deployment.status.is_known() || !deployment.source.is_known())
            }
            Op::Redeploy => {
                let deployment = revisions.redeploy(ids.revision).await?;
                Ended::success(!deployment.status.is_known() || !deployment.source.is_known())
            }
        })
    }
}

/// How a call that did not fail ended.
#[derive(Debug)]
pub enum Ended {
    Success { unknown_values: bool },
    TimedOut,
    Unexpected(String),
}

impl Ended {
    fn success(unknown_values: bool) -> Self {
        Ended::Success { unknown_values }
    }
}

/// The IDs an operation works on.
#[derive(Clone, Copy, Debug)]
pub struct Ids {
    pub deployment: Uuid,
    pub revision: Uuid,
}

/// The revisions a scripted list serves (three, so pages of two make two requests).
const LISTED: [&str; 3] = [
    "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22",
    "0c8d2f4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    "1d9e3a5f-6b7c-4d8e-9f0a-1b2c3d4e5f60",
];

struct Values {
    revision_status: &'static str,
    deployment_status: &'static str,
    source: &'static str,
}

const KNOWN: Values = Values {
    revision_status: "DEPLOYED",
    deployment_status: "READY",
    source: "github",
};

fn revision(id: &str, status: &str) -> Value {
    let mut revision = support::revision(status);
    revision["id"] = json!(id);
    revision
}

/// How a fault gets onto the wire.
#[derive(Clone, Copy)]
pub enum Wire {
    /// Nothing listens on the port.
    Refused,
    /// The mock, with this fault injected on the operation.
    Mock(fn() -> Fault),
    /// The scripted server, answering the faulty requests with this reply.
    Scripted(fn(Op, &Seen) -> Reply),
    /// The scripted server, answering the faulty requests with a 50 MiB body of unknown length:
    /// with the operation's success status, or as a proxy's 502 error page.
    Huge { error_page: bool },
}

impl Wire {
    pub fn name(&self) -> &'static str {
        match self {
            Wire::Refused => "no server",
            Wire::Mock(_) => "mock",
            Wire::Scripted(_) | Wire::Huge { .. } => "scripted",
        }
    }

    /// Reading 16 MiB before giving up takes real CPU: such cells run one at a time, so they do
    /// not push each other past the request timeout.
    pub fn is_heavy(&self) -> bool {
        matches!(self, Wire::Huge { .. })
    }

    /// The client's request timeout for the cells of this fault.
    pub fn request_timeout(&self) -> Duration {
        if self.is_heavy() {
            HEAVY_REQUEST_TIMEOUT
        } else {
            REQUEST_TIMEOUT
        }
    }

    /// A wait's timeout in the cells of this fault.
    pub fn wait_timeout(&self) -> Duration {
        match self {
            Wire::Refused => NO_SERVER_WAIT_TIMEOUT,
            _ => WAIT_TIMEOUT,
        }
    }
}

/// The body arrives in part, then the connection closes.
pub fn cut_body(op: Op, _: &Seen) -> Reply {
    Reply::CutBody {
        status: op.success_status(),
        declared: 400,
        sent: "{\"id\":".into(),
    }
}

/// The head arrives at once, the healthy body one byte every 50 ms.
pub fn trickle(op: Op, seen: &Seen) -> Reply {
    let Reply::Full { status, body, .. } = op.healthy(seen) else {
        unreachable!("a healthy answer is complete")
    };
    Reply::Trickle {
        status,
        body,
        every: Duration::from_millis(50),
    }
}

pub const HUGE_BODY: usize = 50 * 1024 * 1024;

/// A healthy answer with enum values this client does not know.
pub fn unknown_values(op: Op, seen: &Seen) -> Reply {
    let unknown = Values {
        revision_status: "SOMETHING_NEW",
        deployment_status: "AWAITING_FINAL_DELETE",
        source: "future_source",
    };
    let op = if op == Op::Wait { Op::Get } else { op };
    op.answer(seen, &unknown)
}

/// A server for one cell, and what it counts.
pub enum Stage {
    Refused(tokio::net::TcpSocket),
    Mock(MockServer),
    Scripted(Server),
}

impl Stage {
    pub async fn start(wire: Wire, op: Op) -> (Self, Ids) {
        let scripted_ids = Ids {
            deployment: support::d(),
            revision: support::r(),
        };
        match wire {
            Wire::Refused => {
                // Bound but not listening: connections are refused, and no other cell's
                // server can take the port while this one runs.
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
                (Stage::Refused(socket), scripted_ids)
            }
            Wire::Scripted(fault) => (Stage::scripted(op, fault).await, scripted_ids),
            Wire::Huge { error_page } => {
                let status = if error_page { 502 } else { op.success_status() };
                let huge = move |_: Op, _: &Seen| Reply::Huge {
                    status,
                    size: HUGE_BODY,
                };
                (Stage::scripted(op, huge).await, scripted_ids)
            }
            Wire::Mock(fault) => {
                let mock = MockServer::builder()
                    .timing(Timing::instant())
                    .start()
                    .await
                    .unwrap();
                let deployment = mock.seed_deployment(github_deployment_request("faulty"));
                let ids = Ids {
                    deployment: deployment.id,
                    revision: deployment.latest_revision_id.unwrap(),
                };
                if op == Op::List {
                    for _ in 1..LISTED.len() {
                        mock.seed_revision(ids.deployment, RevisionStatus::Deployed);
                    }
                }
                let fault = fault().on(op.operation_id());
                mock.inject(match faulty_requests(op) {
                    Some(count) => fault.times(count as u32),
                    None => fault.always(),
                });
                (Stage::Mock(mock), ids)
            }
        }
    }

    /// The scripted server: `fault` answers the faulty requests, a healthy answer the rest.
    async fn scripted(op: Op, fault: impl Fn(Op, &Seen) -> Reply + Send + Sync + 'static) -> Self {
        let faulty = faulty_requests(op).unwrap_or(usize::MAX);
        let server = Server::start(move |seen, n| {
            if n < faulty {
                fault(op, seen)
            } else {
                op.healthy(seen)
            }
        })
        .await;
        Stage::Scripted(server)
    }

    pub fn base_url(&self) -> String {
        match self {
            Stage::Refused(socket) => format!("http://{}", socket.local_addr().unwrap()),
            Stage::Mock(mock) => mock.base_url(),
            Stage::Scripted(server) => server.url.clone(),
        }
    }

    /// Requests of the operation that reached the server.
    pub fn received(&self, op: Op) -> usize {
        match self {
            Stage::Refused(_) => 0,
            Stage::Mock(mock) => mock.requests_for(op.operation_id()).len(),
            Stage::Scripted(server) => server.count(),
        }
    }

    /// Deployments or revisions the POST created on the mock (`None` where nothing keeps state).
    pub fn created(&self, op: Op, ids: Ids) -> Option<usize> {
        let Stage::Mock(mock) = self else { return None };
        // Less what was seeded: one deployment, with one revision.
        match op {
            Op::Create => Some(mock.deployments().len() - 1),
            Op::Redeploy => Some(mock.revisions(ids.deployment).len() - 1),
            _ => None,
        }
    }
}
