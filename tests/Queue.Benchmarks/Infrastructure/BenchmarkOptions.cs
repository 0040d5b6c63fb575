using System.Globalization;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>Command line of the runner; durations and sizes for --quick and for a full run.</summary>
public sealed record BenchmarkOptions
{
    public bool Quick { get; init; }

    public string? OutputPath { get; init; }

    /// <summary>Scenario numbers to run (empty = all).</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();

    /// <summary>Port for --hello-server mode (the Kestrel hello-world reference), else null.</summary>
    public int? HelloServerPort { get; init; }

    public bool HelpRequested { get; init; }

    /// <summary>Load before the measurement window starts (JIT, connection pools, actor start-up).</summary>
    public TimeSpan Warmup => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5);

    /// <summary>Length of a throughput or latency measurement window.</summary>
    public TimeSpan Window => Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20);

    /// <summary>Journaled messages the recovery scenario restarts over (the issue asks 1,000,000).</summary>
    public int RecoveryMessages => Quick ? 200_000 : 1_000_000;

    public static string Usage => """
        Queue.Benchmarks: AkkaQueue's end-to-end benchmark runner (docs/benchmarks.md).

          dotnet run -c Release --project tests/Queue.Benchmarks -- [--quick] [--out results.json] [--only 1,2,7]

          --quick          short windows and a smaller recovery log (under 2 minutes); a smoke test, not a measurement
          --out PATH       also write the results as JSON to PATH
          --only LIST      run only these scenarios (numbers 1 to 8, comma-separated)
          --hello-server PORT
                           internal: serve the Kestrel hello-world reference on 127.0.0.1:PORT
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            options = arg switch
            {
                "--quick" => options with { Quick = true },
                "--out" => options with { OutputPath = Next() },
                "--only" => options with { Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() },
                "--hello-server" => options with { HelloServerPort = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--help" or "-h" => options with { HelpRequested = true },
                _ => throw new ArgumentException($"unknown argument '{arg}'"),
            };
        }
        return options;
    }
}
