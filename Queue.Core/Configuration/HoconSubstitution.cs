namespace Queue.Core.Configuration;

/// <summary><c>${path}</c> or <c>${?path}</c>, waiting for resolution.</summary>
internal sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(IReadOnlyList<string> path, string written, bool optional, HoconPosition position)
        : base(position)
    {
        Path = path;
        Written = written;
        Optional = optional;
    }

    public IReadOnlyList<string> Path { get; }

    /// <summary>The path as written; also the environment variable name that is tried as a fallback.</summary>
    public string Written { get; }

    public bool Optional { get; }

    /// <summary>
    /// Set when the substitution names the field it is assigned to (<c>path = ${path}":/x"</c>). It then
    /// means the value that field had before this assignment, not the final one, which would be a cycle.
    /// </summary>
    public bool IsSelfReference { get; private set; }

    public HoconValue? Prior { get; private set; }

    internal override bool IsUnresolved => true;

    public void BindPrior(HoconValue? prior)
    {
        IsSelfReference = true;
        Prior = prior;
    }

    public override string ToString() => Optional ? $"${{?{Written}}}" : $"${{{Written}}}";
}
