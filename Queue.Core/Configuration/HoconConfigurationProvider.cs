using Microsoft.Extensions.Configuration;

namespace Queue.Core.Configuration;

/// <summary>
/// Exposes the merged, resolved HOCON layers of a <see cref="HoconConfigurationSource"/> as flat keys:
/// <c>queue:node:port</c>, array elements as <c>queue:node:roles:0</c>, scalars as their literal text.
/// </summary>
public sealed class HoconConfigurationProvider(HoconConfigurationSource source) : ConfigurationProvider
{
    public HoconConfigurationSource Source { get; } = source;

    public override void Load()
    {
        var loader = new HoconLoader(new HoconOptions
        {
            IncludeResolver = Source.IncludeResolver ?? new FileHoconIncludeResolver(),
            Environment = Source.Environment ?? System.Environment.GetEnvironmentVariable,
        });
        foreach (var layer in Source.Layers)
        {
            layer.AddTo(loader);
        }

        Data = HoconFlattener.Flatten(loader.Resolve());
    }

    public override string ToString() => $"{nameof(HoconConfigurationProvider)} ({string.Join(" < ", Source.Layers)})";
}
