namespace Queue.Core.Configuration;

/// <summary>
/// A HOCON document is malformed or cannot be resolved. The message starts with
/// "source:line:column: " so an operator can jump straight to the offending spot.
/// </summary>
public sealed class HoconException : FormatException
{
    public HoconException(HoconPosition position, string detail)
        : base($"{position}: {detail}")
    {
        Position = position;
        Detail = detail;
    }

    public HoconException(HoconPosition position, string detail, Exception inner)
        : base($"{position}: {detail}", inner)
    {
        Position = position;
        Detail = detail;
    }

    public HoconPosition Position { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Detail { get; }
}
