using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queue.Core.Transport;

/// <summary>
/// One <see cref="TransportClient"/> per peer address ("host:port"), made on first use and kept:
/// a node (or the cluster client) talks to each peer over a single multiplexed connection, which
/// is what makes write batching pay off. Lock-free: <see cref="Lazy{T}"/> inside the dictionary
/// makes sure a racing GetOrAdd never builds two clients for one peer.
/// </summary>
public sealed class TransportClientPool(TransportOptions options, MessageCodec codec, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    : IAsyncDisposable
{
    private readonly TransportOptions _options = options.Validate();
    private readonly MessageCodec _codec = codec;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Lazy<TransportClient>> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    private int _disposed;

    /// <summary>The client for <paramref name="address"/> ("host:port"); the same instance every time.</summary>
    /// <exception cref="FormatException">The address is not host:port.</exception>
    public TransportClient Get(string address)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (host, port) = ParseAddress(address);
        var client = _clients.GetOrAdd($"{host}:{port}", static (_, state) => new Lazy<TransportClient>(() =>
            new TransportClient(state.host, state.port, state.pool._options, state.pool._codec,
                state.pool._loggerFactory.CreateLogger<TransportClient>(), state.pool._time)),
            (host, port, pool: this)).Value;
        // A Get racing with DisposeAsync may have added a client after the sweep; it is still
        // disposed, by the check below, rather than leaked.
        if (Volatile.Read(ref _disposed) != 0)
        {
            _ = client.DisposeAsync();
            throw new ObjectDisposedException(nameof(TransportClientPool));
        }
        return client;
    }

    public IReadOnlyCollection<string> Addresses => [.. _clients.Keys];

    /// <summary>Splits "host:port" (an IPv6 host in brackets: "[::1]:2552").</summary>
    public static (string Host, int Port) ParseAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{address}' is not a peer address (host:port)");
        }
        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        return (host, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var lazy in _clients.Values)
        {
            if (lazy.IsValueCreated)
            {
                await lazy.Value.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
