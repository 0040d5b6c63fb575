namespace Queue.Core.Configuration;

public sealed class HoconArray : HoconValue
{
    private readonly List<HoconValue> _items;

    internal HoconArray(List<HoconValue> items, HoconPosition position)
        : base(position)
    {
        _items = items;
    }

    public IReadOnlyList<HoconValue> Items => _items;

    public int Count => _items.Count;

    public HoconValue this[int index] => _items[index];
}
