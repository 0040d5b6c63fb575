namespace Queue.Core.Configuration;

/// <summary>
/// Values written next to each other on one line that involve a substitution, array or object
/// (<c>${host}":"${port}</c>, <c>${a} [x]</c>). Plain strings are joined by the parser right away.
/// </summary>
internal sealed class HoconConcatenation : HoconValue
{
    public HoconConcatenation(List<HoconValue> parts, HoconPosition position)
        : base(position)
    {
        Parts = parts;
    }

    public List<HoconValue> Parts { get; }

    internal override bool IsUnresolved => true;
}
