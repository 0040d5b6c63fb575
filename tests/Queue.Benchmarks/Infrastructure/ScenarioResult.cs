namespace Queue.Benchmarks.Infrastructure;

/// <summary>
/// One line of the table and one object of the JSON: a measured figure beside the reference
/// measured in the same run, or a status saying why there is no figure. A scenario that cannot
/// run yet reports "not available: ..." and no number; numbers are never made up.
/// </summary>
public sealed record ScenarioResult
{
    public const string Ok = "ok";

    /// <summary>Stable key, e.g. "1", "4.p99", "7.idle": what CI and the docs refer to.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>"ok", "not available: why" or "failed: why".</summary>
    public string Status { get; init; } = Ok;

    public double? Value { get; init; }

    public string Unit { get; init; } = "";

    /// <summary>What the value is compared with, measured in the same run on the same machine.</summary>
    public string? ReferenceName { get; init; }

    public double? Reference { get; init; }

    public string? ReferenceUnit { get; init; }

    /// <summary>Value / reference (for times: how many times the reference it takes).</summary>
    public double? Ratio { get; init; }

    /// <summary>The target, in words ("ratio >= 0.5", "< 10 ms").</summary>
    public string? Target { get; init; }

    /// <summary>Whether the target was met this run; null when there is no figure.</summary>
    public bool? TargetMet { get; init; }

    /// <summary>Supporting figures (counts, other percentiles, commit counts).</summary>
    public IReadOnlyDictionary<string, double> Details { get; init; } = new Dictionary<string, double>();

    /// <summary>How it was measured and anything the reader must know to trust the figure.</summary>
    public string? Notes { get; init; }

    public static ScenarioResult NotAvailable(string id, string name, string reason, string? target = null) =>
        new() { Id = id, Name = name, Status = "not available: " + reason, Target = target };

    public static ScenarioResult Failed(string id, string name, string reason) =>
        new() { Id = id, Name = name, Status = "failed: " + reason };
}
