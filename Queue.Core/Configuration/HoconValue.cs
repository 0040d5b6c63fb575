namespace Queue.Core.Configuration;

/// <summary>
/// A node of a HOCON tree. A resolved tree (what <see cref="HoconLoader"/> hands out) only holds
/// <see cref="HoconObject"/>, <see cref="HoconArray"/> and <see cref="HoconScalar"/>; substitutions
/// and concatenations exist only between parsing and resolution.
/// </summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconPosition position)
    {
        Position = position;
    }

    /// <summary>Where the value was written.</summary>
    public HoconPosition Position { get; }

    /// <summary>True for nodes whose final value is only known after substitutions are resolved.</summary>
    internal virtual bool IsUnresolved => false;
}
