namespace Stir.Encrypted.Cps;

/// <summary>A CPS configuration that passed this client's checks, and what changed in it since the one accepted before, if anything.</summary>
public sealed class CpsConfigurationCheck
{
    internal CpsConfigurationCheck(CpsConfiguration configuration, CpsConfigurationChange? change)
    {
        Configuration = configuration;
        Change = change;
    }

    /// <summary>The configuration (well formed, at least as strong as the client's floors and minimums).</summary>
    public CpsConfiguration Configuration { get; }

    /// <summary>
    /// The privacy-relevant change this fetch found against the configuration accepted before from the same CPS (in
    /// memory, or in <see cref="CpsClientOptions.KnownConfigurationsFile"/>); null when nothing changed, when it is
    /// the first seen, or when the configuration came from the client's cache rather than a fetch.
    /// </summary>
    public CpsConfigurationChange? Change { get; }
}
