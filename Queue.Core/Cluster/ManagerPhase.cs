namespace Queue.Core.Cluster;

/// <summary>Where a broker stands with respect to the manager role.</summary>
public enum ManagerPhase
{
    /// <summary>Not manager; tries to take the lease whenever it has lapsed.</summary>
    Candidate,

    /// <summary>Holds the lease and acts as manager.</summary>
    Manager,

    /// <summary>Could not renew in time: stops acting at once, then becomes a candidate again.</summary>
    SteppingDown,
}
