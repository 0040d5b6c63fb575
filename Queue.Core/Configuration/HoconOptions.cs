namespace Queue.Core.Configuration;

/// <summary>The outside world a HOCON document can reach: included files and environment variables.</summary>
public sealed class HoconOptions
{
    public IHoconIncludeResolver IncludeResolver { get; init; } = new FileHoconIncludeResolver();

    /// <summary>
    /// Looked up when a substitution names no path in the document, as the spec prescribes for both
    /// <c>${X}</c> and <c>${?X}</c>. Replaceable so tests never depend on the real environment.
    /// </summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
