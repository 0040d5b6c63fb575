namespace Queue.Core.Configuration;

/// <summary>
/// Replaces substitutions, concatenations and layered assignments with plain values. Works lazily:
/// a node is only resolved when the output or a substitution needs it, each node once, so that
/// substitutions may refer to fields defined later or in later layers, and cycles are detected
/// by meeting a node that is still being resolved.
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue?> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly List<HoconValue> _inProgress = [];
    private readonly HashSet<HoconValue> _copying = new(ReferenceEqualityComparer.Instance);

    private HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>A fully resolved copy of <paramref name="root"/>; the input tree is left as it was.</summary>
    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment) =>
        (HoconObject)new HoconResolver(root, environment).Complete(root)!;

    /// <summary>Resolves <paramref name="value"/> and everything below it; null when it is undefined.</summary>
    private HoconValue? Complete(HoconValue value)
    {
        var shallow = Shallow(value);
        if (shallow is HoconScalar or null)
        {
            return shallow;
        }

        if (!_copying.Add(shallow))
        {
            var detail = value is HoconSubstitution s
                ? $"substitution {s} refers to an object or array that contains it"
                : "value contains itself";
            throw new HoconException(value.Position, $"cycle in substitutions: {detail}");
        }

        try
        {
            if (shallow is HoconArray array)
            {
                var items = new List<HoconValue>(array.Count);
                foreach (var item in array.Items)
                {
                    if (Complete(item) is { } resolved)
                    {
                        items.Add(resolved);
                    }
                }

                return new HoconArray(items, array.Position);
            }

            var source = (HoconObject)shallow;
            var copy = new HoconObject(source.Position);
            foreach (var (key, field) in source.Fields)
            {
                if (Complete(field) is { } resolved)
                {
                    copy.Set(key, resolved);
                }
            }

            return copy;
        }
        finally
        {
            _copying.Remove(shallow);
        }
    }

    /// <summary>
    /// Resolves just enough of <paramref name="value"/> to know what it is: a scalar, an array or an
    /// object whose fields may still be unresolved. Null means undefined (an unset <c>${?X}</c>).
    /// </summary>
    private HoconValue? Shallow(HoconValue value)
    {
        if (!value.IsUnresolved)
        {
            return value;
        }

        if (_resolved.TryGetValue(value, out var cached))
        {
            return cached;
        }

        if (_inProgress.Contains(value, ReferenceEqualityComparer.Instance))
        {
            throw Cycle(value);
        }

        _inProgress.Add(value);
        HoconValue? result;
        try
        {
            result = value switch
            {
                HoconSubstitution substitution => ResolveSubstitution(substitution),
                HoconConcatenation concatenation => ResolveConcatenation(concatenation),
                HoconMerge merge => ResolveMerge(merge),
                _ => throw new InvalidOperationException($"Unexpected node {value.GetType().Name}."),
            };
        }
        finally
        {
            _inProgress.RemoveAt(_inProgress.Count - 1);
        }

        _resolved[value] = result;
        return result;
    }

    private HoconException Cycle(HoconValue value)
    {
        var start = _inProgress.FindIndex(v => ReferenceEquals(v, value));
        var chain = _inProgress.Skip(start).Append(value).OfType<HoconSubstitution>().Select(s => s.ToString()).ToList();
        var position = chain.Count > 0 ? _inProgress.Skip(start).OfType<HoconSubstitution>().First().Position : value.Position;
        return new HoconException(position, $"cycle in substitutions: {string.Join(" -> ", chain)}");
    }

    private HoconValue? ResolveSubstitution(HoconSubstitution substitution)
    {
        var found = substitution.IsSelfReference
            ? substitution.Prior is null ? null : Shallow(substitution.Prior)
            : Lookup(substitution.Path);
        if (found is null && _environment(substitution.Written) is { } fromEnvironment)
        {
            found = new HoconScalar(HoconScalarKind.String, fromEnvironment, substitution.Position);
        }

        if (found is null && !substitution.Optional)
        {
            throw new HoconException(
                substitution.Position,
                $"unresolved substitution {substitution}: no such path in the configuration and no environment variable '{substitution.Written}'");
        }

        return found;
    }

    private HoconValue? Lookup(IReadOnlyList<string> path)
    {
        HoconValue? current = _root;
        foreach (var segment in path)
        {
            if (current is not HoconObject obj || obj[segment] is not { } field)
            {
                return null;
            }

            current = Shallow(field);
        }

        return current;
    }

    private HoconValue? ResolveMerge(HoconMerge merge)
    {
        var top = Shallow(merge.Top);
        if (top is null)
        {
            return Shallow(merge.Under);
        }

        return top is HoconObject topObject && Shallow(merge.Under) is HoconObject underObject
            ? MergeObjects(topObject, underObject)
            : top;
    }

    /// <summary>Fields of <paramref name="top"/> over those of <paramref name="under"/>; nested objects merge too.</summary>
    private static HoconObject MergeObjects(HoconObject top, HoconObject under)
    {
        var merged = new HoconObject(top.Position);
        foreach (var (key, value) in under.Fields)
        {
            merged.Set(key, value);
        }

        foreach (var (key, value) in top.Fields)
        {
            var mayMerge = value is HoconObject || value.IsUnresolved;
            merged.Set(key, mayMerge && merged[key] is { } earlier ? new HoconMerge(value, earlier) : value);
        }

        return merged;
    }

    private HoconValue? ResolveConcatenation(HoconConcatenation concatenation)
    {
        var parts = new List<HoconValue>();
        foreach (var part in concatenation.Parts)
        {
            if (part is HoconScalar { IsWhitespace: true })
            {
                parts.Add(part);
            }
            else if (Shallow(part) is { } resolved)
            {
                parts.Add(resolved);
            }
        }

        // An undefined ${?x} at either end must not leave the space next to it behind.
        while (parts.Count > 0 && parts[0] is HoconScalar { IsWhitespace: true })
        {
            parts.RemoveAt(0);
        }

        while (parts.Count > 0 && parts[^1] is HoconScalar { IsWhitespace: true })
        {
            parts.RemoveAt(parts.Count - 1);
        }

        var values = parts.Where(p => p is not HoconScalar { IsWhitespace: true }).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count == 1)
        {
            return values[0];
        }

        var kind = values[0];
        var mismatch = values.FirstOrDefault(v => v.GetType() != kind.GetType());
        if (mismatch is not null && (kind is not HoconScalar || mismatch is not HoconScalar))
        {
            throw new HoconException(
                concatenation.Position, $"cannot concatenate {Describe(kind)} with {Describe(mismatch)}");
        }

        switch (kind)
        {
            case HoconObject:
                var result = (HoconObject)values[0];
                foreach (var next in values.Skip(1))
                {
                    result = MergeObjects((HoconObject)next, result);
                }

                return result;
            case HoconArray:
                return new HoconArray(values.SelectMany(v => ((HoconArray)v).Items).ToList(), concatenation.Position);
            default:
                return new HoconScalar(
                    HoconScalarKind.String, string.Concat(parts.Select(p => ((HoconScalar)p).Text)), concatenation.Position);
        }
    }

    private static string Describe(HoconValue value) => value switch
    {
        HoconObject => "an object",
        HoconArray => "an array",
        _ => "a string",
    };
}
