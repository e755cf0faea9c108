//! Flows compiled from the spec: steps with resolved jump targets.

use std::collections::{BTreeMap, HashMap};

use crate::spec::{BotSpec, ConditionSpec, FlowSpec, StepSpec};

/// Where a step sends the flow next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The step at this index.
    Step(usize),
    /// The end of the flow.
    End,
}

/// A runnable step.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Collect { slot: String, prompt: String, reprompt: Option<String>, max_attempts: u32, ask_always: bool },
    Confirm { response: String, on_yes: Option<Target>, on_no: Option<Target> },
    Action { name: String, on: BTreeMap<String, Target> },
    Branch(Vec<(Option<ConditionSpec>, Target)>),
    Say(String),
    Handoff(String),
    End,
}

/// A runnable flow.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    pub(crate) name: String,
    pub(crate) triggers: Vec<String>,
    pub(crate) steps: Vec<Step>,
    /// After each step, where to go when it does not jump itself.
    pub(crate) next: Vec<Target>,
}

impl Flow {
    /// Compiles a validated flow.
    pub(crate) fn compile(spec: &FlowSpec) -> Flow {
        let ids: HashMap<&str, usize> =
            spec.steps.iter().enumerate().filter_map(|(i, s)| s.id.as_deref().map(|id| (id, i))).collect();
        let target = |name: &str| match ids.get(name) {
            Some(i) => Target::Step(*i),
            None => Target::End,
        };
        let steps = spec.steps.iter().map(|s| compile_step(s, &target)).collect();
        let next = spec
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| match &s.goto {
                Some(g) => target(g),
                None if i + 1 < spec.steps.len() => Target::Step(i + 1),
                None => Target::End,
            })
            .collect();
        Flow { name: spec.name.clone(), triggers: spec.triggers.clone(), steps, next }
    }

    /// The index of the step that collects `slot`, if any.
    pub(crate) fn collect_step(&self, slot: &str) -> Option<usize> {
        self.steps.iter().position(|s| matches!(s, Step::Collect { slot: s, .. } if s == slot))
    }

    /// Whether one of the flow's steps runs `action`.
    pub(crate) fn runs(&self, action: &str) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Action { name, .. } if name == action))
    }

    /// The slots this flow collects.
    pub(crate) fn collected_slots(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().filter_map(|s| match s {
            Step::Collect { slot, .. } => Some(slot.as_str()),
            _ => None,
        })
    }
}

fn compile_step(s: &StepSpec, target: &dyn Fn(&str) -> Target) -> Step {
    if let Some(slot) = &s.collect {
        return Step::Collect {
            slot: slot.clone(),
            prompt: s.prompt.clone().unwrap_or_default(),
            reprompt: s.reprompt.clone(),
            max_attempts: s.max_attempts.unwrap_or(3).max(1),
            ask_always: s.ask_always,
        };
    }
    if let Some(response) = &s.confirm {
        return Step::Confirm {
            response: response.clone(),
            on_yes: s.on_yes.as_deref().map(target),
            on_no: s.on_no.as_deref().map(target),
        };
    }
    if let Some(name) = &s.action {
        return Step::Action {
            name: name.clone(),
            on: s.on.iter().map(|(k, v)| (k.clone(), target(v))).collect(),
        };
    }
    if let Some(arms) = &s.branch {
        return Step::Branch(arms.iter().map(|a| (a.condition.clone(), target(&a.goto))).collect());
    }
    if let Some(r) = &s.say {
        return Step::Say(r.clone());
    }
    if let Some(reason) = &s.handoff {
        return Step::Handoff(reason.clone());
    }
    Step::End
}

/// Compiles every flow of a validated spec.
pub(crate) fn compile_flows(spec: &BotSpec) -> Vec<Flow> {
    spec.flows.iter().map(Flow::compile).collect()
}
