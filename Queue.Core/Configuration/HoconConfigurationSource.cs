using Microsoft.Extensions.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Several HOCON documents that become ONE provider: they are merged as HOCON (later layers win,
/// objects merge, arrays replace) and resolved together, so a user file's <c>roles = [broker]</c>
/// really replaces reference.conf's <c>[broker, edge]</c>. Separate providers could not do that:
/// IConfiguration merges key by key and would keep <c>roles:1 = edge</c> from the earlier one.
/// </summary>
public sealed class HoconConfigurationSource : IConfigurationSource
{
    /// <summary>Documents in order, the last one winning.</summary>
    public IList<HoconLayer> Layers { get; init; } = new List<HoconLayer>();

    /// <summary>Finds included documents; null means files relative to the including file.</summary>
    public IHoconIncludeResolver? IncludeResolver { get; set; }

    /// <summary>Environment lookup for substitutions; null means the process environment.</summary>
    public Func<string, string?>? Environment { get; set; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(this);

    /// <summary>A copy with <paramref name="layer"/> on top; the original stays as it was.</summary>
    internal HoconConfigurationSource With(HoconLayer layer) => new()
    {
        Layers = new List<HoconLayer>(Layers) { layer },
        IncludeResolver = IncludeResolver,
        Environment = Environment,
    };
}
