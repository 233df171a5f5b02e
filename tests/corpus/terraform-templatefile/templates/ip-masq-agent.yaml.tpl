nonMasqueradeCIDRs:
%{~ for c in cidrs }
  - ${c}
%{~ endfor }
MasqLinkLocal: false
resyncInterval: ${resync_interval}
