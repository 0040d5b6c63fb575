using System.Diagnostics.Metrics;
using Queue.Core.Diagnostics;
using Queue.Core.Log;

namespace Queue.Core.Tests.Diagnostics;

/// <summary>
/// akkaqueue.consumer.lag as a scrape sees it, read through a MeterListener from what a partition
/// published. Lag counts from the log start: a consumer that retention passed has only what is
/// still in the log ahead of it.
/// </summary>
public sealed class ConsumerLagGaugeTests
{
    [Fact]
    public void Lag_counts_from_the_log_start_for_a_consumer_retention_has_passed()
    {
        var topic = "lag-" + Guid.NewGuid().ToString("N")[..8];
        var gauge = QueueMetrics.PartitionStarted(new PartitionId(topic, 0));
        try
        {
            // Consumer 1 is behind the log start (retention let go of offsets 0..99), consumer 2 inside the log.
            gauge.Publish(100, 150, new Dictionary<long, long> { [1] = 20, [2] = 140 });
            var lag = Observe(topic);
            Assert.Equal(50, lag[1]);
            Assert.Equal(10, lag[2]);

            // The log start moved again without a commit: published on its own, positions kept.
            gauge.Publish(145, 150, null);
            lag = Observe(topic);
            Assert.Equal(5, lag[1]);
            Assert.Equal(5, lag[2]);
        }
        finally
        {
            QueueMetrics.PartitionStopped(gauge);
        }
    }

    private static Dictionary<long, long> Observe(string topic)
    {
        var lag = new Dictionary<long, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == QueueMetrics.MeterName && instrument.Name == "akkaqueue.consumer.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? t = null;
            long consumer = -1;
            foreach (var tag in tags)
            {
                if (tag.Key == "topic")
                {
                    t = tag.Value as string;
                }
                else if (tag.Key == "consumer")
                {
                    consumer = Convert.ToInt64(tag.Value);
                }
            }
            if (t == topic)
            {
                lag[consumer] = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return lag;
    }
}
