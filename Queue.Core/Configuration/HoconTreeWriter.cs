namespace Queue.Core.Configuration;

/// <summary>
/// Places parsed values into the tree with HOCON's "later wins" rules: objects merge field by field,
/// anything else replaces, and a value that depends on substitutions is layered over the earlier
/// one (<see cref="HoconMerge"/>) because only resolution can tell whether it replaces, merges or
/// (an unset <c>${?X}</c>) leaves the earlier value in place.
/// </summary>
internal static class HoconTreeWriter
{
    /// <summary>
    /// Assigns <paramref name="value"/> to <paramref name="key"/>. <paramref name="absolutePath"/> is the
    /// field's path from the root, or null inside an array element or concatenation, where
    /// substitutions cannot refer back to the field they are assigned to.
    /// </summary>
    public static void SetField(HoconObject target, string key, HoconValue value, IReadOnlyList<string>? absolutePath)
    {
        var existing = target[key];
        if (absolutePath is not null)
        {
            BindSelfReferences(value, absolutePath, existing);
        }

        if (existing is null)
        {
            target.Set(key, value);
        }
        else if (value is HoconObject obj)
        {
            var destination = EnsureObject(target, key, obj.Position);
            foreach (var (childKey, childValue) in obj.Fields)
            {
                SetField(destination, childKey, childValue, absolutePath is null ? null : [.. absolutePath, childKey]);
            }
        }
        else if (value.IsUnresolved)
        {
            target.Set(key, new HoconMerge(value, existing));
        }
        else
        {
            target.Set(key, value);
        }
    }

    /// <summary>The object stored at <paramref name="key"/>, created (or replacing a scalar or array) if needed.</summary>
    public static HoconObject EnsureObject(HoconObject parent, string key, HoconPosition position)
    {
        switch (parent[key])
        {
            case HoconObject existing:
                return existing;
            case HoconMerge { Top: HoconObject top }:
                return top;
            case { IsUnresolved: true } pending:
                // The earlier value may still turn out to be an object (a substitution); keep it
                // underneath so resolution can merge the two.
                var layered = new HoconObject(position);
                parent.Set(key, new HoconMerge(layered, pending));
                return layered;
            default:
                var created = new HoconObject(position);
                parent.Set(key, created);
                return created;
        }
    }

    private static void BindSelfReferences(HoconValue value, IReadOnlyList<string> path, HoconValue? prior)
    {
        switch (value)
        {
            case HoconSubstitution substitution when substitution.Path.SequenceEqual(path, StringComparer.Ordinal):
                substitution.BindPrior(prior);
                break;
            case HoconConcatenation concatenation:
                foreach (var part in concatenation.Parts)
                {
                    BindSelfReferences(part, path, prior);
                }

                break;
        }
    }
}
