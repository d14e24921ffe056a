/// The fields an experiment spec may hold (see `experiments/README.md` for their meaning).
public enum SpecSchema {
    static let optimizer = Schema.choice(["sgd", "nesterov", "asgd", "adam", "adamw", "adagrad", "adadelta"])
    static let schedule = Schema.either([
        .choice(["constant"]),
        .object(["slanted_triangular": .object(["cut_fraction": .number, "ratio": .number], required: []),
                 "linear_warmup": .object(["warmup_steps": .integer, "warmup_fraction": .number, "final_fraction": .number], required: []),
                 "exponential": .object(["gamma": .number], required: ["gamma"]),
                 "step": .object(["step_size": .integer, "gamma": .number], required: ["step_size", "gamma"]),
                 "one_cycle": .object(["pct_start": .number, "div_factor": .number, "final_div_factor": .number], required: [])],
                required: []),
    ])
    static let group = Schema.object([
        "patterns": .list(.string, nonEmpty: true), "exclude": .list(.string, nonEmpty: true), "optimizer": optimizer, "learning_rate": .number,
        "weight_decay": .number, "frozen": .boolean, "max_row_norm": .number, "clip_norm": .number, "schedule": schedule,
        "momentum": .number, "rho": .number, "epsilon": .number, "betas": .list(.number, nonEmpty: true),
    ], required: ["patterns"])
    /// A phase of training: its epochs, the groups frozen during it, and per-group factors on the
    /// group's learning rate (so a swept rate scales every phase).
    static let phase = Schema.object([
        "epochs": .integer, "frozen": .list(.string, nonEmpty: false), "rate_factors": .dictionary(.number),
        "reset_moments": .boolean,
    ], required: ["epochs"])
    static let trainingSizes = Schema.list(.either([.integer, .choice(["all"])]), nonEmpty: true)
    /// An installed dataset with its own evaluation protocol (e.g. Kim's 10-fold CV on MR) or its own training-set
    /// sizes (an arm too costly at some sizes of one dataset).
    static let installedSource = Schema.object(["id": .string, "folds": .integer, "training_sizes": trainingSizes], required: ["id"])
    static let fileSource = Schema.object([
        "file": .string, "format": .choice(["csv", "tsv", "jsonl", "conll"]), "text": .string, "label": .string,
        "encoding": .string, "name": .string,
    ], required: ["file"])
    static let generator = Schema.object([
        "log_space": .object(["from": .number, "to": .number, "count": .integer], required: ["from", "to", "count"]),
        "linear_space": .object(["from": .number, "to": .number, "count": .integer], required: ["from", "to", "count"]),
        "range": .object(["from": .integer, "to": .integer], required: ["from", "to"]),
    ], required: [])

    /// A stage whose artifact runs use by writing `stage:NAME` (see `StagePlanner`); its kind's typed
    /// configuration checks the fields of its kind (`Experiments.RunKinds`).
    static let stage = Schema.open([
        "kind": .string, "from": .string, "inputs": .either([.choice(["run-data"]), .list(.string, nonEmpty: true)]), "seed": .integer,
    ], required: ["kind"])

    /// The whole spec; `required` keys are checked after `extends`, profiles and overrides are applied. The sections
    /// several run kinds share (`data`, `embeddings`, `train`, `language_model`, and Doc2Vec's `generic`, `regime`,
    /// `evaluation`) are checked here at load, for every command, and again by the typed configurations of the kinds
    /// that read them (a test holds the two lists of fields equal); `model:` and a stage's fields are its kind's alone.
    public static let spec: Schema = .object([
        "extends": .string,
        "experiment": .object(["id": .string, "description": .string, "question": .string], required: ["id"]),
        "references": .list(.object([
            "paper": .string, "table": .string, "verified": .boolean, "metric": .string, "note": .string,
            "values": .dictionary(.dictionary(.number)),
        ], required: ["paper", "values"]), nonEmpty: false),
        "data": .object([
            "datasets": .list(.either([.string, installedSource, fileSource]), nonEmpty: true),
            "split": .object(["seed": .integer, "valid": .number, "test": .number, "folds": .integer], required: []),
            "training_sizes": trainingSizes,
            "tokenizer": .object(["lowercase": .boolean, "twitter": .boolean, "pretokenized": .boolean], required: []),
            "max_length": .integer, "min_count": .integer,
        ], required: ["datasets"]),
        "embeddings": .object([
            "vectors": .string, "oov": .choice(["uniform", "zero", "mean"]), "init": .choice(["pretrained", "random"]),
            "channels": .choice(["single", "multichannel"]),
        ], required: []),
        // The run kind and its own fields, which the kind's typed configuration checks (`Experiments.RunKinds`).
        "model": .open(["kind": .string], required: ["kind"]),
        // Fields for one kind only (kind → fields), applied under `model:` when a run's `model.kind` is that kind.
        "models": .dictionary(.dictionary(.any)),
        // Baseline kinds (kind → their fields, e.g. `tfidf-lr: {}`), each run as an arm of its own on every dataset,
        // training-set size and fold of the arms (once: with the arms' first seed), with the spec's data section and nothing else of it.
        "baselines": .dictionary(.dictionary(.any)),
        // Doc2Vec regimes: the generic corpus, how it meets the domain corpus, and what is measured.
        "generic": .object(["corpus": .list(.string, nonEmpty: true)], required: ["corpus"]),
        "regime": .object([
            "kind": .choice(["combined", "oversampled", "sequential"]), "factor": .integer, "vocabulary": .choice(["frozen", "both"]),
            "second_session": .choice(["restart", "continue"]), "second_alpha": .number, "second_epochs": .integer,
            "generic_model": .string,
        ], required: ["kind"]),
        "evaluation": .object([
            "similarity": .list(.string, nonEmpty: false), "reference": .string, "l2": .list(.number, nonEmpty: true),
            "infer_epochs": .integer,
        ], required: []),
        "train": .object([
            "batch_size": .integer, "batching": .choice(["random", "length-grouped"]), "epochs": .integer, "min_steps": .integer, "optimizer": optimizer,
            "learning_rate": .number,
            "momentum": .number, "rho": .number, "epsilon": .number, "betas": .list(.number, nonEmpty: true),
            "groups": .dictionary(group), "phases": .list(phase, nonEmpty: true), "clip_norm": .either([.number, .choice(["none"])]),
            "patience": .integer, "schedule": schedule,
            // ULMFiT / SiATL: layer-wise rates, unfreezing schedules, SiATL's auxiliary LM loss, early-stopping criterion.
            "discriminative": .object(["factor": .number, "order": .list(.string, nonEmpty: true)], required: ["order"]),
            "unfreezing": .object(["kind": .choice(["gradual", "chain-thaw", "last-layer", "full", "siatl"]),
                                   "order": .list(.string, nonEmpty: true), "epochs_per_stage": .integer], required: ["kind"]),
            "auxiliary": .choice(["none", "siatl"]), "select_by": .choice(["accuracy", "loss", "entity_f1"]),
            // `phase`: each phase (unfreezing stage) restarts the schedules over its own steps; `all-trainable`: early
            // stopping counts only once nothing but the always-frozen groups is frozen.
            "schedule_scope": .choice(["run", "phase"]), "patience_from": .choice(["start", "all-trainable"]),
        ], required: []),
        // The language model of the transfer experiments: architecture, pretraining and target fine-tuning.
        "language_model": .object([
            "vocabulary": .integer, "min_count": .integer, "embedding": .integer, "hidden": .integer, "layers": .integer, "tied": .boolean,
            "dropout": .object(["embedding": .number, "input": .number, "inter_layer": .number, "output": .number, "weight": .number], required: []),
            "pretrain": .object(["corpus": .list(.string, nonEmpty: true), "epochs": .integer, "batch": .integer, "bptt": .integer,
                                 "learning_rate": .number, "optimizer": optimizer, "clip": .number, "heldout": .number], required: []),
            "finetune": .object(["epochs": .integer, "batch": .integer, "learning_rate": .number, "discriminative": .number,
                                 "cut_fraction": .number, "ratio": .number, "text": .choice(["labelled", "train-split"]),
                                 "extend_vocabulary": .integer], required: []),
        ], required: []),
        "stages": .dictionary(stage),
        "arms": .dictionary(.any),
        // Training-set size → fields that the runs at that size alone take, under their arm's (`SpecLoader` checks them
        // as the spec's own); runs at other sizes are planned as without it.
        "at_training_size": .dictionary(.any),
        "sweep": .dictionary(.either([.list(.any, nonEmpty: true), generator])),
        // `metric`: what chooses the selected axes, on validation (`valid_accuracy`, `valid.loss`, `valid.entity_f1`);
        // by default the report metric.
        // `tune_seeds: n`: the axes chosen on each cell's n lowest seeds; its other seeds run at the chosen values only.
        "selection": .object(["metric": .string, "tune_seeds": .integer,
                              "over": .list(.string, nonEmpty: true)], required: []),
        // `metric`: the runs' split metric tabulated (test) and plotted (validation), by name: accuracy, macro_f1, entity_f1, …
        "report": .object(["baseline": .string, "metric": .string, "title": .string,
                           "datasets_order": .list(.string, nonEmpty: true),
                           // further results (a run's `extras`) tabulated beside the main metric, from the same chosen runs
                           "extra_metrics": .list(.string, nonEmpty: true),
                           // the arms split into several tables (e.g. main comparison and ablations), each with its own baseline
                           "tables": .list(.object(["title": .string, "arms": .list(.string, nonEmpty: true), "baseline": .string],
                                                   required: ["title", "arms"]), nonEmpty: true),
                           // claims stated before the runs (a paper's, a maintainer's, folklore), checked by the report:
                           // `arm` is expected `higher`/`lower` than `baseline` on `metric` (the report metric or an extra),
                           // or `within` ± `tolerance` of it (points of a test metric; an equivalence test),
                           // optionally with its margin `largest-at-smallest-size` (a learning-curve claim)
                           // (`some-seeds-fail`: some of the arm's chosen seeds end at chance level, counted per setting; no baseline)
                           "claims": .list(.object(["claim": .string, "source": .string, "arm": .string, "baseline": .string,
                                                    "expect": .choice(["higher", "lower", "within", "some-seeds-fail"]), "tolerance": .number,
                                                    "metric": .string, "margin": .choice(["largest-at-smallest-size"]), "training_size": .string],
                                                   required: ["claim", "arm", "expect"]), nonEmpty: true),
                           // one point per arm (means of its chosen runs) on two metrics, e.g. domain accuracy against generic retention
                           "scatter": .list(.object(["x": .string, "y": .string], required: ["x", "y"]), nonEmpty: true),
                           // an earlier recipe's results beside this one's, per dataset and size: its run archive (relative to the
                           // spec's folder), the profile that made it (default: the spec's defaults), the arms compared
                           "compare_with": .object(["archive": .string, "profile": .string, "arms": .list(.string, nonEmpty: true), "title": .string],
                                                   required: ["archive", "arms"])], required: []),
        "profiles": .dictionary(.any),
        "plan": .object(["seconds_per_run": .number], required: []),
    ], required: ["experiment", "data", "model"])

    /// Keys that describe the experiment rather than one run; they are not part of a run's resolved config.
    public static let experimentLevelKeys: Set<String> = ["extends", "arms", "sweep", "profiles", "references", "report", "selection", "plan", "models", "baselines",
                                                          "at_training_size"]
    /// The prose of `experiment:`: what a reader is told, not what a run trains with. It is not part of a run's
    /// resolved config either, so that rewording it re-plans nothing (`Tracking.RunIdentity` brings runs recorded
    /// while it was to the same identity).
    public static let experimentProseKeys: Set<String> = ["description", "question"]
}
