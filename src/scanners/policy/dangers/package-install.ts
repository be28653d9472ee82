import type { FamilyTable } from './types.js';

/** Installing packages or creating environments (T23). */
export const PACKAGE_INSTALL: FamilyTable = {
  pip: 'pip.main(["install", …]) installs packages (setup scripts run)',
  ensurepip: 'ensurepip._run_pip runs pip',
  'venv virtualenv': 'venv.create(…, with_pip=True, prompt=…) creates environments and runs pip',
  'conda conda_env mamba': 'conda installs packages',
  easy_install: 'installs packages',
};
