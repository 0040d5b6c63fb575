using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>A run's results: printed as a Markdown table (pasted into README and docs) and written as JSON.</summary>
public sealed record BenchmarkReport(
    DateTimeOffset Date,
    string Command,
    string Mode,
    MachineInfo Machine,
    double ElapsedSeconds,
    IReadOnlyList<ScenarioResult> Scenarios)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Date:yyyy-MM-dd HH:mm} UTC, {Mode} run, {ElapsedSeconds:0} s: `{Command}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}");
        text.AppendLine();
        text.AppendLine("| # | scenario | result | reference (same run) | ratio | target |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in Scenarios)
        {
            var result = r.Status == ScenarioResult.Ok ? Format(r.Value, r.Unit) : r.Status;
            var reference = r.ReferenceName is null ? "–" : $"{r.ReferenceName}: {Format(r.Reference, r.ReferenceUnit ?? r.Unit)}";
            var ratio = r.Ratio is { } x ? x.ToString(x < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) : "–";
            var target = r.Target is null ? "–" : r.Target + r.TargetMet switch { true => " (met)", false => " (missed)", null => "" };
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Id} | {r.Name} | {result} | {reference} | {ratio} | {target} |");
        }
        return text.ToString();
    }

    public static string Format(double? value, string unit)
    {
        if (value is not { } v || double.IsNaN(v))
        {
            return "–";
        }
        var number = Math.Abs(v) >= 100 ? v.ToString("#,0", CultureInfo.InvariantCulture)
            : Math.Abs(v) >= 10 ? v.ToString("0.0", CultureInfo.InvariantCulture)
            : v.ToString("0.00", CultureInfo.InvariantCulture);
        return $"{number} {unit}".TrimEnd();
    }
}
