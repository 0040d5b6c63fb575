namespace Queue.Client;

/// <summary>
/// How the SDK reaches the queue and retries. Bindable from configuration (for example the
/// section <c>"Queue"</c> with <c>Mode</c>, <c>BaseAddress</c> or <c>SeedNodes</c> and
/// <c>TlsCertificatePath</c>/<c>TlsCertificatePassword</c> (or <c>InsecureDev</c>),
/// <c>RequestTimeout</c> as <c>"00:00:10"</c>, and nested <c>Producer</c>
/// and <c>Consumer</c> sections), so HTTP or cluster mode is a configuration choice only.
/// </summary>
public sealed class QueueClientOptions
{
    /// <summary>HTTP through an edge node (default), or cluster mode straight to the brokers.</summary>
    public QueueClientMode Mode { get; set; } = QueueClientMode.Http;

    /// <summary>The HTTP address of an edge node, for example <c>http://127.0.0.1:8001/</c>.</summary>
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8001/");

    /// <summary>
    /// Cluster mode: brokers to join through, as <c>host:port</c> of their Akka remoting port
    /// (<c>--port</c>, not the HTTP port). An entry may hold several, comma-separated.
    /// </summary>
    public IList<string> SeedNodes { get; set; } = [];

    /// <summary>
    /// Cluster mode: the cluster's PKCS#12 certificate (the brokers' <c>queue.node.tls.certificate-path</c>).
    /// With it the client joins over TLS remoting; the brokers accept only members presenting it.
    /// </summary>
    public string TlsCertificatePath { get; set; } = "";

    /// <summary>Cluster mode: the password of <see cref="TlsCertificatePath"/>, if it has one.</summary>
    public string TlsCertificatePassword { get; set; } = "";

    /// <summary>
    /// Cluster mode without TLS, for a cluster whose brokers run with <c>insecure-dev</c>: anyone
    /// who can reach a broker's port can join. Local experiments only; required explicitly so a
    /// forgotten certificate is an error, not a silently insecure client.
    /// </summary>
    public bool InsecureDev { get; set; }

    /// <summary>How long one request may take, not counting a long-poll's wait. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt of a request that failed retryably (429, 503, connection lost, timeout). Default 6.</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>Wait before the first retry; doubles per retry (with jitter) up to <see cref="RetryMaxDelay"/>. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between retries, also the cap on a server's Retry-After. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Defaults for producers made by <see cref="QueueClient.CreateProducer"/>.</summary>
    public QueueProducerOptions Producer { get; set; } = new();

    /// <summary>Defaults for consumers made by <see cref="QueueClient.CreateConsumerAsync"/>.</summary>
    public QueueConsumerOptions Consumer { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Mode == QueueClientMode.Cluster)
        {
            if (SeedAddresses().Count == 0)
            {
                throw new ArgumentException("Cluster mode needs SeedNodes: host:port of at least one broker's remoting port (--port)", nameof(SeedNodes));
            }
            if (TlsCertificatePath.Length == 0 && !InsecureDev)
            {
                throw new ArgumentException("Cluster mode needs the cluster's TlsCertificatePath (or InsecureDev for a cluster running without TLS)", nameof(TlsCertificatePath));
            }
            if (TlsCertificatePath.Length > 0 && InsecureDev)
            {
                throw new ArgumentException("Give either TlsCertificatePath or InsecureDev, not both", nameof(InsecureDev));
            }
        }
        else if (Mode != QueueClientMode.Http)
        {
            throw new ArgumentException($"Mode must be Http or Cluster, got {Mode}", nameof(Mode));
        }
        if (!BaseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException($"BaseAddress must be absolute, got '{BaseAddress}'", nameof(BaseAddress));
        }
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RequestTimeout must be positive", nameof(RequestTimeout));
        }
        if (MaxRetries < 0)
        {
            throw new ArgumentException("MaxRetries must not be negative", nameof(MaxRetries));
        }
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            throw new ArgumentException("RetryBaseDelay must be positive and at most RetryMaxDelay", nameof(RetryBaseDelay));
        }
        Producer.Validate();
        Consumer.Validate();
    }

    /// <summary><see cref="SeedNodes"/> with comma-separated entries split and blanks dropped.</summary>
    internal IReadOnlyList<string> SeedAddresses() =>
        SeedNodes.SelectMany(entry => (entry ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
}
