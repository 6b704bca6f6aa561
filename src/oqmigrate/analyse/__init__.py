"""analyse: what the code means, read once and shared by the rules and the codemods.

`model` (the parent package's module) says what kind of class each class is; this package reads inside the
classes, resolving `using` aliases the way the class model does:

- `names`: names of types and invocations (`simple`, `qualifier`, `resolved_type`, `invoked_name`), whether an
  identifier names a member, and the names codemods write (`local_name`, `camel_words`, `CSHARP_KEYWORDS`);
- `members`: a class's own nodes (`class_nodes`, the lazily built per-class node index), its fields,
  properties, constructors, methods and parameters, assignments and writes to its members, loggers
  (`LOGGER_TYPES`), function nodes and the deferred code inside them (`DEFERRED_CODE`);
- `expressions`: what an expression means: the call under an `await`, side effects, a condition's terms and
  comparisons;
- `drivers`: what makes a worker repeat: timers and loops that wait;
- `clock`: reading the current time (`current_time`) and polled clock checks;
- `statements`: the statements of a constructor body and the part of each that runs first;
- `tokens`: finding nodes by a byte search of the file instead of a walk over the tree;
- `registrations`: hand-written hosted-service registrations (`AddHostedService<T>()` and friends);
- `worker`: `analyse_worker` decides whether (and how) a worker becomes an Oqtane job, without generating code
  (its parts: `partial_worker`, `worker_members`, `driver`, `loop`, `clock`, `schedule_of_worker`,
  `dependencies`, `recorder`, `blockers`, `worker_facts`).

Helpers over bare syntax nodes (a block's statements, an operator, a node's text on one line) are in
`oqmigrate.syntax`; durations and weekdays in `oqmigrate.schedule`.
"""
