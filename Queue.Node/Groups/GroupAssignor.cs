namespace Queue.Node.Groups;

/// <summary>
/// The sticky assignment strategy of consumer groups. Pure: it only decides from what it is
/// handed. Given the topic's partition count and the live members in join order, each with the
/// partitions it owns now, it returns a balanced assignment that moves as few partitions as
/// possible:
/// <list type="number">
/// <item>Quotas: with P partitions and M members every member gets ⌊P/M⌋, and P mod M of them
/// one more. The extra slots go first to the members that already own more than ⌊P/M⌋ (most
/// first, then join order), so nobody is made to give up a partition only to take another.</item>
/// <item>Every member keeps its current partitions (lowest numbers first) up to its quota; the
/// rest are freed.</item>
/// <item>Free partitions (never owned, freed, or owned by members that left), in ascending order,
/// fill the members below quota in join order.</item>
/// </list>
/// A partition is in at most one member's list: it is kept by its one owner or handed out once
/// from the free list. Deterministic, so replaying the same events recomputes the same answer.
/// </summary>
public static class GroupAssignor
{
    public static IReadOnlyDictionary<string, IReadOnlyList<int>> Assign(int partitions, IReadOnlyList<(string Member, IReadOnlyList<int> Owned)> members)
    {
        var result = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        if (members.Count == 0)
        {
            return result;
        }
        var baseQuota = partitions / members.Count;
        var extra = partitions % members.Count;
        // A partition can only be kept by one member even if a corrupt input lists it twice.
        var taken = new HashSet<int>();
        var owned = members.Select(m => m.Owned.Where(p => p >= 0 && p < partitions).Distinct().Order().ToList()).ToList();
        var extraTo = Enumerable.Range(0, members.Count)
            .Where(i => owned[i].Count > baseQuota)
            .OrderByDescending(i => owned[i].Count).ThenBy(i => i)
            .Take(extra)
            .ToHashSet();
        // Members that own nothing extra take the leftover extra slots in join order.
        foreach (var i in Enumerable.Range(0, members.Count).Where(i => !extraTo.Contains(i)))
        {
            if (extraTo.Count >= extra)
            {
                break;
            }
            extraTo.Add(i);
        }
        var quotas = Enumerable.Range(0, members.Count).Select(i => baseQuota + (extraTo.Contains(i) ? 1 : 0)).ToArray();
        var assigned = new List<int>[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            assigned[i] = [];
            foreach (var p in owned[i])
            {
                if (assigned[i].Count < quotas[i] && taken.Add(p))
                {
                    assigned[i].Add(p);
                }
            }
        }
        var free = new Queue<int>(Enumerable.Range(0, partitions).Where(p => !taken.Contains(p)));
        for (var i = 0; i < members.Count; i++)
        {
            while (assigned[i].Count < quotas[i] && free.TryDequeue(out var p))
            {
                assigned[i].Add(p);
            }
            assigned[i].Sort();
            result[members[i].Member] = assigned[i];
        }
        return result;
    }
}
