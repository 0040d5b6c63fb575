using System.Globalization;

namespace Queue.Core.Configuration;

/// <summary>Turns a resolved tree into IConfiguration's flat "a:b:c" keys.</summary>
internal static class HoconFlattener
{
    public static Dictionary<string, string?> Flatten(HoconObject root)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in root.Fields)
        {
            Add(data, key, value);
        }

        return data;
    }

    private static void Add(Dictionary<string, string?> data, string path, HoconValue value)
    {
        switch (value)
        {
            case HoconScalar { Kind: HoconScalarKind.Null }:
                data[path] = null;
                break;
            case HoconScalar scalar:
                data[path] = scalar.Text;
                break;
            case HoconArray array:
                // The array's own key is present with a null value. IConfiguration answers a key from
                // the last provider that has it, so this hides a comma-separated string an earlier
                // provider set for the same key, while a later one still wins over the array; see
                // ConfigValues.GetList.
                data[path] = null;
                for (var i = 0; i < array.Count; i++)
                {
                    Add(data, $"{path}:{i.ToString(CultureInfo.InvariantCulture)}", array[i]);
                }

                break;
            case HoconObject { Count: 0 }:
                // Keeps the section visible (GetChildren of its parent lists it) without inventing a value.
                data[path] = null;
                break;
            case HoconObject obj:
                foreach (var (key, child) in obj.Fields)
                {
                    Add(data, $"{path}:{key}", child);
                }

                break;
        }
    }
}
