namespace Queue.Core.Configuration;

/// <summary>
/// A later assignment whose outcome depends on substitutions, over the earlier value of the same
/// field. Resolution picks <see cref="Top"/>, falls back to <see cref="Under"/> when Top turns out
/// undefined (an unset <c>${?X}</c>), and merges the two when both are objects.
/// </summary>
internal sealed class HoconMerge : HoconValue
{
    public HoconMerge(HoconValue top, HoconValue under)
        : base(top.Position)
    {
        Top = top;
        Under = under;
    }

    public HoconValue Top { get; }

    public HoconValue Under { get; }

    internal override bool IsUnresolved => true;
}
