//! Cross-reference checks over a parsed spec.

use std::collections::HashSet;

use super::{parse_annotations, BotSpec, Problems, ResponseSpec, StepSpec, BUILTIN_ENTITIES, SPEC_VERSION};

pub(super) fn validate(spec: &BotSpec, problems: &mut Problems) {
    if spec.version != SPEC_VERSION {
        problems.push(
            "version",
            format!("unsupported version {} (this library reads version {SPEC_VERSION})", spec.version),
        );
    }
    spec.business.validate("business", problems);

    if !["lexical", "embedding"].contains(&spec.nlu.classifier.as_str()) {
        problems.push(
            "nlu.classifier",
            format!("unknown classifier {:?} (use \"lexical\" or \"embedding\")", spec.nlu.classifier),
        );
    }
    if !(0.0..=1.0).contains(&spec.nlu.threshold) {
        problems.push("nlu.threshold", "must be between 0 and 1");
    }

    let mut entities: HashSet<&str> = BUILTIN_ENTITIES.into_iter().collect();
    for (i, e) in spec.entities.iter().enumerate() {
        let at = format!("entities[{i}]");
        if !entities.insert(e.name.as_str()) {
            problems.push(format!("{at}.name"), format!("duplicate or built-in entity name {:?}", e.name));
        }
        let kinds = usize::from(!e.values.is_empty())
            + usize::from(e.pattern.is_some())
            + usize::from(e.from_services);
        if kinds != 1 {
            problems.push(&at, "give exactly one of `values`, `pattern` or `from_services: true`");
        }
        if let Some(p) = &e.pattern {
            if let Err(err) = regex::Regex::new(p) {
                problems.push(format!("{at}.pattern"), format!("invalid regular expression: {err}"));
            }
        }
    }

    let mut intents = HashSet::new();
    for (i, intent) in spec.intents.iter().enumerate() {
        let at = format!("intents[{i}]");
        if !intents.insert(intent.name.as_str()) {
            problems.push(format!("{at}.name"), format!("duplicate intent {:?}", intent.name));
        }
        if intent.examples.is_empty() {
            problems.push(format!("{at}.examples"), "an intent needs at least one example");
        }
        for (j, ex) in intent.examples.iter().enumerate() {
            match parse_annotations(ex) {
                Ok(a) => {
                    for ann in a.annotations {
                        if !entities.contains(ann.entity.as_str()) {
                            problems.push(
                                format!("{at}.examples[{j}]"),
                                format!("unknown entity {:?}", ann.entity),
                            );
                        }
                    }
                }
                Err(e) => problems.push(format!("{at}.examples[{j}]"), e),
            }
        }
    }
    if let Some(oos) = &spec.nlu.out_of_scope_intent {
        if !intents.contains(oos.as_str()) {
            problems.push("nlu.out_of_scope_intent", format!("unknown intent {oos:?}"));
        }
    }
    let d = &spec.dialog;
    for (name, value) in [
        ("stop_intent", &d.stop_intent),
        ("restart_intent", &d.restart_intent),
        ("handoff_intent", &d.handoff_intent),
        ("help_intent", &d.help_intent),
        ("affirm_intent", &d.affirm_intent),
        ("deny_intent", &d.deny_intent),
    ] {
        if let Some(v) = value {
            if !intents.contains(v.as_str()) {
                problems.push(format!("dialog.{name}"), format!("unknown intent {v:?}"));
            }
        }
    }

    let mut slots = HashSet::new();
    for (i, s) in spec.slots.iter().enumerate() {
        if !slots.insert(s.name.as_str()) {
            problems.push(format!("slots[{i}].name"), format!("duplicate slot {:?}", s.name));
        }
        if !entities.contains(s.entity.as_str()) {
            problems.push(format!("slots[{i}].type"), format!("unknown entity type {:?}", s.entity));
        }
    }

    for (name, r) in &spec.responses {
        if matches!(r, ResponseSpec::Variations(v) if v.is_empty()) {
            problems.push(format!("responses.{name}"), "needs at least one variation");
        }
    }

    let mut knowledge = HashSet::new();
    for (i, k) in spec.knowledge.iter().enumerate() {
        if !knowledge.insert(k.id.as_str()) {
            problems.push(format!("knowledge[{i}].id"), format!("duplicate knowledge id {:?}", k.id));
        }
        if k.answer.trim().is_empty() {
            problems.push(format!("knowledge[{i}].answer"), "must not be empty");
        }
    }

    let mut flow_names = HashSet::new();
    for flow in &spec.flows {
        let at = format!("flows.{}", flow.name);
        if !flow_names.insert(flow.name.as_str()) {
            problems.push(&at, "duplicate flow name");
        }
        for (j, t) in flow.triggers.iter().enumerate() {
            if !intents.contains(t.as_str()) {
                problems.push(format!("{at}.triggers[{j}]"), format!("unknown intent {t:?}"));
            }
        }
        if flow.steps.is_empty() {
            problems.push(format!("{at}.steps"), "a flow needs at least one step");
        }
        let ids: HashSet<&str> = flow.steps.iter().filter_map(|s| s.id.as_deref()).collect();
        for (j, step) in flow.steps.iter().enumerate() {
            validate_step(step, &format!("{at}.steps[{j}]"), spec, &slots, &ids, problems);
        }
    }

    // Responses name only slots that can have been filled when they are said.
    super::placeholders::check(spec, problems);
}

fn validate_step(
    step: &StepSpec,
    at: &str,
    spec: &BotSpec,
    slots: &HashSet<&str>,
    ids: &HashSet<&str>,
    problems: &mut Problems,
) {
    let kinds = [
        step.collect.is_some(),
        step.confirm.is_some(),
        step.action.is_some(),
        step.branch.is_some(),
        step.say.is_some(),
        step.handoff.is_some(),
        step.end.is_some(),
    ];
    match kinds.iter().filter(|k| **k).count() {
        0 => problems.push(at, "a step needs one of collect, confirm, action, branch, say, handoff or end"),
        1 => {}
        _ => problems
            .push(at, "a step may do only one of collect, confirm, action, branch, say, handoff or end"),
    }
    let response = |field: &str, name: &Option<String>, problems: &mut Problems| {
        if let Some(n) = name {
            if !spec.responses.contains_key(n) {
                problems.push(format!("{at}.{field}"), format!("unknown response {n:?}"));
            }
        }
    };
    let target = |field: &str, name: &Option<String>, problems: &mut Problems| {
        if let Some(n) = name {
            if n != "end" && !ids.contains(n.as_str()) {
                problems.push(format!("{at}.{field}"), format!("unknown step {n:?}"));
            }
        }
    };
    if let Some(slot) = &step.collect {
        if !slots.contains(slot.as_str()) {
            problems.push(at, format!("unknown slot {slot:?}"));
        }
        if step.prompt.is_none() {
            problems.push(format!("{at}.prompt"), "a collect step needs a prompt");
        }
    }
    response("prompt", &step.prompt, problems);
    response("reprompt", &step.reprompt, problems);
    response("confirm", &step.confirm, problems);
    response("say", &step.say, problems);
    target("on_yes", &step.on_yes, problems);
    target("on_no", &step.on_no, problems);
    target("goto", &step.goto, problems);
    for (outcome, goto) in &step.on {
        target(&format!("on.{outcome}"), &Some(goto.clone()), problems);
    }
    for (k, arm) in step.branch.iter().flatten().enumerate() {
        target(&format!("branch[{k}].goto"), &Some(arm.goto.clone()), problems);
        if let Some(c) = &arm.condition {
            if !slots.contains(c.slot.as_str()) {
                problems.push(format!("{at}.branch[{k}].if.slot"), format!("unknown slot {:?}", c.slot));
            }
        }
    }
}
