namespace Queue.Client.Tests.Seeds;

/// <summary>
/// Reads the seeds' producer logs from <c>Seeds/Data/&lt;scenario&gt;/producer_N.txt</c>, a copy of
/// the course's sample logs kept in this project and copied beside the test binaries, so the
/// tests need nothing outside the repository. Line format: <c>ts TAB level TAB TAB tag TAB TAB topic</c>; which topics a producer registers for is
/// read off its lines.
/// </summary>
internal static class SeedLogs
{
    public static IReadOnlyList<SeedProducerLog> Load(string scenario)
    {
        var folder = Path.Combine(Root(), scenario);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Seed logs for scenario '{scenario}' are missing: expected the folder {folder}");
        }
        var files = Directory.GetFiles(folder, "producer_*.txt")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)["producer_".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"No producer_*.txt files in {folder}");
        }
        return files.Select(f => new SeedProducerLog(Path.GetFileNameWithoutExtension(f), File.ReadAllLines(f)
            .Where(line => line.Length > 0)
            .Select(line => new SeedLine(line, TopicOf(line, f)))
            .ToList())).ToList();
    }

    /// <summary>Messages per topic over all producers of a scenario.</summary>
    public static IReadOnlyDictionary<string, int> CountsPerTopic(IReadOnlyList<SeedProducerLog> producers) =>
        producers.SelectMany(p => p.Lines).GroupBy(l => l.Topic).ToDictionary(g => g.Key, g => g.Count());

    private static string TopicOf(string line, string file)
    {
        var topic = line.Split('\t')[^1].Trim();
        return topic.Length > 0 ? topic : throw new FormatException($"{file}: line without a topic: '{line}'");
    }

    private static string Root()
    {
        // Only the copy in the output directory, never a path relative to the repository: the
        // tests must run the same from a fresh clone, a CI checkout or a published test folder.
        var seeds = Path.Combine(AppContext.BaseDirectory, "Seeds", "Data");
        return Directory.Exists(seeds)
            ? seeds
            : throw new DirectoryNotFoundException($"The seed logs are missing: expected {seeds} (Seeds/Data copied to the output by the test project)");
    }
}
