using Microsoft.Extensions.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Adds HOCON documents to a configuration. Consecutive AddHocon* calls share one
/// <see cref="HoconConfigurationSource"/>, so <c>AddHoconReference().AddHoconFile(path)</c> layers the
/// file over the defaults with HOCON semantics (arrays replaced, not merged by index) and lets
/// substitutions in either refer to the other. Anything added in between (environment variables,
/// command line) starts a new HOCON source after it.
/// </summary>
public static class HoconConfigurationExtensions
{
    /// <summary>Adds a HOCON file; relative paths are taken from the current directory.</summary>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional = false) =>
        builder.AddHoconLayer(HoconLayer.File(path, optional));

    public static IConfigurationBuilder AddHoconString(this IConfigurationBuilder builder, string text, string sourceName = "inline") =>
        builder.AddHoconLayer(HoconLayer.Text(text, sourceName));

    /// <summary>Adds the reference.conf embedded in Queue.Core (all keys with their defaults).</summary>
    public static IConfigurationBuilder AddHoconReference(this IConfigurationBuilder builder) =>
        builder.AddHoconLayer(HoconLayer.Reference());

    /// <summary>Adds a new, separate HOCON source, for instance to inject an include resolver or environment.</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, Action<HoconConfigurationSource> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var source = new HoconConfigurationSource();
        configure(source);
        return builder.Add(source);
    }

    private static IConfigurationBuilder AddHoconLayer(this IConfigurationBuilder builder, HoconLayer layer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sources = builder.Sources;
        if (sources.Count > 0 && sources[^1] is HoconConfigurationSource last)
        {
            // Replaced rather than mutated: ConfigurationManager builds providers as sources are set,
            // so only assigning the slot makes it rebuild the HOCON provider with the new layer.
            sources[^1] = last.With(layer);
            return builder;
        }

        return builder.Add(new HoconConfigurationSource { Layers = { layer } });
    }
}
