namespace Queue.Core.Configuration;

/// <summary>Where a token or value came from, for error messages: source name, 1-based line and column.</summary>
public readonly record struct HoconPosition(string Source, int Line, int Column)
{
    public override string ToString() => $"{Source}:{Line}:{Column}";
}
