namespace Queue.Client.Tests.Seeds;

/// <summary>A seed producer (<c>producer_N</c>) and its lines in file order, which is its send order.</summary>
internal sealed record SeedProducerLog(string Name, IReadOnlyList<SeedLine> Lines)
{
    public IEnumerable<string> Topics => Lines.Select(l => l.Topic).Distinct();

    public IReadOnlyList<string> LinesFor(string topic) => Lines.Where(l => l.Topic == topic).Select(l => l.Text).ToList();
}
