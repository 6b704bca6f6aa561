// Oqtane.Shared/Shared/SiteState.cs: the scoped per-request (and per-job-run) site context, signatures only.
// It exists in every era, so every compile (plain and per era) includes it, like Oqtane.cs.
namespace Oqtane.Shared
{
    public class SiteState
    {
        public Oqtane.Models.Alias Alias { get; set; }
        public string AntiForgeryToken { get; set; }
        public string RemoteIPAddress { get; set; }
        public bool IsPrerendering { get; set; }
    }
}
