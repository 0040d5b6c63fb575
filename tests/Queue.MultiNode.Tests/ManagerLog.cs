using System.Text.RegularExpressions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// Reads the manager's own account of shard moves from its log: "Shard N moving from A to B"
/// when a hand-off starts, "Shard N allocated to B at epoch E" when it lands. Replaying the two in
/// log order gives how many moves were in flight at every moment, independent of how often (or
/// how late) a test looked at the routing table.
/// </summary>
public static partial class ManagerLog
{
    /// <summary>Moves started and the most in flight at once.</summary>
    public static (int Started, int MaxInFlight) Moves(string log)
    {
        var inFlight = new HashSet<int>();
        var started = 0;
        var max = 0;
        foreach (Match match in MoveLine().Matches(log))
        {
            var shard = int.Parse(match.Groups["shard"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (match.Groups["verb"].Value == "moving")
            {
                inFlight.Add(shard);
                started++;
                max = Math.Max(max, inFlight.Count);
            }
            else
            {
                inFlight.Remove(shard);
            }
        }
        return (started, max);
    }

    [GeneratedRegex(@"Shard (?<shard>\d+) (?<verb>moving|allocated) ")]
    private static partial Regex MoveLine();
}
